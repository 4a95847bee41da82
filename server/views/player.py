"""The session player and its carer layout: one track, its chapters, and the stop control.

When a carer answered for the person (``Perspective.THEY``), the player opens in the carer
layout and plays the carer's track (the same steps, with the helper's lines); the standard
layout stays one link away (``?view=standard``).

The page works without JavaScript (an ``<audio controls>`` element and every step's text);
the player component moves through the track by ``currentTime`` (../shared/DESIGN.md, "Playing with
the screen off").
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from server.content import Content
from server.content.perspective import Perspective
from server.content.session import Plan
from server.narration import SPEEDS
from server.session.gate import is_ready
from server.session.track_lookup import LoadedTrack, load_track
from server.speech.script import COME_UP, content_script
from server.views.session_helpers import (
    clock_text,
    duration_text,
    gate_required,
    plan_facts,
    plan_or_404,
    plan_start_url,
)
from server.web import (
    content_for,
    perspective_of,
    redirect,
    render,
    state,
    take_perspective_note,
    urls_for,
)


def _steps(
    content: Content,
    plan: Plan,
    track: LoadedTrack | None,
    perspective: Perspective = Perspective.YOU,
) -> list[dict[str, Any]]:
    """Every step with its exact spoken text, and its times when the track exists."""
    if track is not None:
        return [
            {
                "id": c["id"],
                "kind": c["kind"],
                "title": c["title"],
                "lines": [line["text"] for line in c["lines"]],
                "time": content.session.ui.step_time.format(
                    start=clock_text(c["start"]), end=clock_text(c["end"])
                ),
            }
            for c in track.chapters
        ]
    return [
        {
            "id": c.id,
            "kind": c.kind,
            "title": c.title,
            "lines": [line.text for line in c.lines],
            "time": None,
        }
        for c in content_script(content, plan, perspective).chapters
    ]


def _player(request: Request, carer: bool) -> Response:
    content = content_for(request)
    plan = plan_or_404(content, request.path_params["plan_id"])
    if not is_ready(request.session, plan.id):
        return redirect(plan_start_url(request, content, plan))
    speed = request.query_params.get("speed", "normal")
    if speed not in SPEEDS:
        speed = "normal"
    perspective = perspective_of(request)
    urls = urls_for(request, content)
    if (
        perspective == Perspective.THEY
        and not carer
        and request.query_params.get("view") != "standard"
    ):
        # A carer answered for the person: the carer view opens by default.
        return redirect(urls.carer(plan.id, speed))
    shared = state(request)
    key = content_script(content, plan, perspective).key
    track = load_track(
        shared.settings.audio_dir, content.language, plan.id, speed, key, perspective
    )
    ui = content.session.ui
    steps = _steps(content, plan, track, perspective)
    audio_url = None
    player_json = ""
    if track is not None:
        audio_url = shared.clips.track_url(content.language, track.file)
        player_json = json.dumps(
            {
                "plan": plan.id,
                "lang": content.language,
                "speed": speed,
                "file": track.file,
                "duration": track.duration,
                "come_up": COME_UP,
                "app": content.ui.app_name,
                "album": f"{ui.player_caption}: {plan.title}",
                "chapters": [
                    {
                        "id": c["id"],
                        # "hold": the time head down, counted for the history (player.js)
                        "kind": c["kind"],
                        "title": c["title"],
                        "start": c["start"],
                        "end": c["end"],
                        "lines": [
                            {"start": x["start"], "end": x["end"], "text": x["text"]}
                            for x in c["lines"]
                        ],
                    }
                    for c in track.chapters
                ],
                "strings": {
                    "step_n_of_m": ui.step_n_of_m,
                    "resume_notice": ui.resume_notice,
                    "resumed_step": ui.resumed_step,
                    "hold_went_on": ui.hold_went_on,
                    "hold_over": ui.hold_over,
                    "hold_no_repeat": ui.hold_no_repeat,
                    "paused_notice": ui.paused_notice,
                    "arrival": ui.arrival,
                    "ended": ui.ended,
                    "play": ui.play,
                    "pause": ui.pause,
                    # Said through the status region when the track plays or pauses.
                    "playing": content.pwa.playing_announce,
                    "paused": content.pwa.paused_announce,
                    "play_blocked": ui.play_blocked,
                    "carer_view": ui.carer_view,
                    "standard_view": ui.standard_view,
                    "carer_caption": ui.carer_caption,
                    "standard_caption": ui.player_caption,
                    "carer_title": f"{ui.carer_caption}: {plan.title}",
                    "standard_title": f"{ui.player_caption}: {plan.title}",
                    "page_suffix": f" - {content.ui.app_name}",
                },
            },
            separators=(",", ":"),
        )
    caption = ui.carer_caption if carer else ui.player_caption
    standard = perspective == Perspective.THEY  # the standard layout must be asked for explicitly
    first = steps[0]
    return render(
        request,
        "carer_session.html" if carer else "session_player.html",
        content,
        f"{caption}: {plan.title}",
        plan=plan,
        facts=plan_facts(content, plan),
        steps=steps,
        first_step=first,
        come_up=COME_UP,
        track=track,
        audio_url=audio_url,
        total_text=clock_text(track.duration) if track else None,
        first_left_text=clock_text(track.chapters[0]["end"]) if track else None,
        player_json=player_json,
        speed=speed,
        carer=carer,
        play_url=urls.play(plan.id, speed, standard=standard),
        carer_url=urls.carer(plan.id, speed),
        speed_urls={
            s: urls.carer(plan.id, s) if carer else urls.play(plan.id, s, standard=standard)
            for s in SPEEDS
        },
        carer_text=content.carer,
        helper_track=perspective == Perspective.THEY,
        feedback_url=urls.feedback(plan.id),
        length_text=duration_text(content, track.duration) if track else None,
        perspective_note=take_perspective_note(request),
    )


@gate_required
async def player_page(request: Request) -> Response:
    return _player(request, carer=False)


@gate_required
async def carer_page(request: Request) -> Response:
    """The same player in a carer layout: very large step and time left, the stop control."""
    return _player(request, carer=True)


async def come_up_page(request: Request) -> Response:
    """ "Stop and come up now" without JavaScript: the come-up instructions, shown and played.

    The plan's own track plays from the come-up chapter (a ``#t=`` media fragment, started by
    ``autoplay`` after the tap that led here; native controls when a browser refuses). Not
    gated: whoever is on the table must be able to hear how to come up, whatever the cookie
    says.
    """
    content = content_for(request)
    plan = plan_or_404(content, request.path_params["plan_id"])
    speed = request.query_params.get("speed", "normal")
    if speed not in SPEEDS:
        speed = "normal"
    shared = state(request)
    # The track this person hears: with the helper's lines when a carer answered.
    perspective = perspective_of(request)
    key = content_script(content, plan, perspective).key
    track = load_track(
        shared.settings.audio_dir, content.language, plan.id, speed, key, perspective
    )
    # The track plays on from the come-up to its end (rest, sitting up, cool down): every
    # step it says is shown.
    steps = _steps(content, plan, track, perspective)
    steps = steps[next(i for i, s in enumerate(steps) if s["id"] == COME_UP) :]
    audio_url = None
    if track is not None:
        start = next(c["start"] for c in track.chapters if c["id"] == COME_UP)
        audio_url = f"{shared.clips.track_url(content.language, track.file)}#t={start:.2f}"
    urls = urls_for(request, content)
    return render(
        request,
        "session_come_up.html",
        content,
        content.session.ui.come_up_title,
        plan=plan,
        steps=steps,
        audio_url=audio_url,
        play_url=urls.play(plan.id, speed),
        perspective_note=take_perspective_note(request),
    )
