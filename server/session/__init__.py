"""The guided session's rules: ``timeline`` (a plan's script, ``server.speech.script``, ->
exact MP3 frames), ``gate`` (is the session offered), ``tracks`` (build one track per plan),
``track_lookup`` (find a built track at request time). Its pages are in ``server.views``.

The progression (which plan to suggest next) runs on the device, in
``pwa/static/js/lib/progression.js``, because the history never leaves it.
"""
