"""The guided session: ``script`` (plan -> sentences), ``timeline`` (sentences -> exact MP3
frames), ``gate`` (is the session offered), ``tracks`` (build and load one track per plan),
``views`` (its pages).

The progression (which plan to suggest next) runs on the device, in
``pwa/static/js/lib/progression.js``, because the history never leaves it.
"""
