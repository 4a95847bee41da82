"""Languages: every key in every language, Spanish pages, the language switch, Accept-Language,
the manifest and offline use per language, and a third language added with one file."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from starlette.testclient import TestClient

from server.app import create_app
from server.config import ROOT, Settings
from server.content import Content, ContentError, forbidden_wording, load_all
from server.content.parity import key_problems
from server.web import accepted_languages

CONTENT = ROOT / "content"


def copy_content(tmp_path: Path, *langs: str) -> Path:
    folder = tmp_path / "content"
    folder.mkdir()
    for lang in langs:
        shutil.copy(CONTENT / f"{lang}.yaml", folder / f"{lang}.yaml")
    return folder


def edit(path: Path, change: Any) -> None:
    """Load a language file, let ``change`` edit the data, write it back."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_all(folder)
    return caught.value.problems


# --- Parity ------------------------------------------------------------------------------


def test_spanish_has_every_key_english_has() -> None:
    contents = load_all(CONTENT)
    assert {"en", "es"} <= set(contents)
    en = yaml.safe_load((CONTENT / "en.yaml").read_text(encoding="utf-8"))
    es = yaml.safe_load((CONTENT / "es.yaml").read_text(encoding="utf-8"))
    assert key_problems(en, es) == []


def test_a_missing_or_extra_key_is_named_with_its_file(tmp_path: Path) -> None:
    folder = copy_content(tmp_path, "en", "es")

    def change(data: dict[str, Any]) -> None:
        del data["ui"]["back"]
        data["pwa"]["not_in_english"] = "x"
        del data["session"]["steps"]["rest"]["lines"][1]["at"]

    edit(folder / "es.yaml", change)
    problems = problems_of(folder)
    es = str(folder / "es.yaml")
    assert f"{es}: ui.back: missing (it is in en.yaml)" in problems
    assert f"{es}: pwa.not_in_english: not in en.yaml (extra key)" in problems
    assert f"{es}: session.steps.rest.lines[1].at: missing (it is in en.yaml)" in problems


def test_a_key_added_to_english_is_named_in_spanish(tmp_path: Path) -> None:
    """What happens when another branch adds a key to en.yaml: the check names it in es.yaml
    (English itself fails only until the model knows the key)."""
    en = {"ui": {"a": "x", "new_key": "y"}, "questions": [{"id": "q1", "you": "x"}]}
    es = {"ui": {"a": "x"}, "questions": [{"id": "q1", "you": "x"}]}
    assert key_problems(en, es) == ["ui.new_key: missing (it is in en.yaml)"]


def test_lists_are_compared_by_id_length_codes_and_placeholders() -> None:
    en = {
        "questions": [{"id": "a", "level": "avoid"}, {"id": "b", "level": "ask-first"}],
        "steps": ["one", "two"],
        "plans": [{"id": "p", "angle": 20, "title": "{angle} degrees"}],
    }
    es = {
        "questions": [{"id": "a", "level": "ask-first"}, {"id": "c", "level": "avoid"}],
        "steps": ["uno"],
        "plans": [{"id": "p", "angle": 30, "title": "grados"}],
    }
    assert key_problems(en, es) == [
        "questions[b]: missing (it is in en.yaml)",
        "questions[c]: not in en.yaml (extra item)",
        "questions[a].level: must be 'avoid' as in en.yaml (not words), not 'ask-first'",
        "steps: has 1 items, but 2 in en.yaml",
        "plans[p].angle: must be 20 as in en.yaml (not words), not 30",
        "plans[p].title: placeholders must be the same as in en.yaml (angle)",
    ]


def test_the_language_own_keys_are_not_compared() -> None:
    en = {"language": "en", "voice": {"tld": "co.uk"}, "ui": {}}
    es = {"language": "es", "voice": {"gtts_lang": "es"}, "direction": "ltr", "ui": {}}
    assert key_problems(en, es) == []


# --- Spanish wording ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Es seguro usar la mesa.",
        "Puede invertirse de forma segura.",
        "Está a salvo.",
        "Es apta para la inversión.",
        "La inversión es adecuada para usted.",
        "Está autorizado a usar la mesa.",
        "Su médico lo ha aprobado.",
        "Tiene vía libre.",
        "Puede seguir adelante.",
        "Sin riesgo para usted.",
    ],
)
def test_spanish_claims_of_safety_are_forbidden(text: str, content_es: Content) -> None:
    assert forbidden_wording(text, content_es.wording_check), text


@pytest.mark.parametrize(
    "text",
    [
        "No lo sé",
        "Asegúrese de que la correa está ajustada.",
        "Compruebe el cierre de los tobillos.",
        "Esto no es una autorización médica: consulte con su médico.",
    ],
)
def test_ordinary_spanish_is_allowed(text: str, content_es: Content) -> None:
    assert forbidden_wording(text, content_es.wording_check) == []


def test_spanish_never_uses_seguro_and_says_not_sure_as_no_lo_se(content_es: Content) -> None:
    assert content_es.ui.answer_not_sure == "No lo sé"
    for key, text in content_es.all_strings():
        if not key.endswith("source"):
            assert not re.search(r"\bsegur[oa]s?\b", text.lower()), key


def test_a_safety_claim_in_spanish_fails_the_check_naming_the_key(tmp_path: Path) -> None:
    folder = copy_content(tmp_path, "en", "es")
    edit(folder / "es.yaml", lambda d: d["home"].update(lead="La inversión es segura."))
    problems = problems_of(folder)
    assert any("es.yaml: home.lead: must not say 'seguro/segura'" in p for p in problems)


def test_the_emergency_number_is_said_in_full_in_spanish(content_es: Content) -> None:
    number = content_es.emergency.number
    assert number == (
        "su número local de emergencias (112 en la UE, 911 en EE. UU., 999 en el Reino Unido)"
    )
    mentions = content_es.wording_check.mentions_emergency_number
    assert mentions("Llame al 112.", number)
    assert mentions("Llame al número de emergencias.", number)
    assert not mentions("No deje sola a la persona.", number)


def test_a_spanish_line_with_only_part_of_the_number_fails(tmp_path: Path) -> None:
    folder = copy_content(tmp_path, "en", "es")
    edit(folder / "es.yaml", lambda d: d["emergency"]["steps"][5].update(say="Llame al 112."))
    problems = problems_of(folder)
    assert any("es.yaml: emergency" in p and "say the number in full" in p for p in problems)


def test_a_spanish_line_naming_the_number_in_words_only_fails(tmp_path: Path) -> None:
    """Spanish's own words for the number (from es.yaml's wording_check) are checked too."""
    folder = copy_content(tmp_path, "en", "es")
    said = "Llame al número de emergencias."
    edit(folder / "es.yaml", lambda d: d["emergency"]["steps"][5].update(say=said))
    problems = problems_of(folder)
    assert any("emergency.steps[5].say: say the number in full" in p for p in problems), problems


def test_spanish_review_status_is_honest(content_es: Content) -> None:
    assert "Ningún profesional clínico que hable español" in content_es.reviewed
    assert content_es.voice.gtts_lang == "es" and content_es.voice.tld == "com.mx"
    assert content_es.voice.espeak_voice == "es-419"


# --- Pages in Spanish ------------------------------------------------------------------------


def answer_all(client: TestClient, content: Content, lang: str, answer: str = "no") -> None:
    client.post(f"/{lang}/screening/start", data={"perspective": "they"})
    for q in content.questions:
        assert (
            client.post(f"/{lang}/screening/q/{q.id}", data={"answer": answer}).status_code == 200
        )


def test_every_spanish_page_says_lang_es(client: TestClient, content_es: Content) -> None:
    pages = ["/es/", "/es/helping", "/es/emergency", "/es/screening", "/es/offline"]
    pages += ["/es/session", "/es/screening/offline", "/es/no-existe"]
    for path in pages:
        page = client.get(path)
        assert '<html lang="es"' in page.text, path
        assert '<link rel="manifest" href="/es/manifest.webmanifest">' in page.text, path
    answer_all(client, content_es, "es")
    for path in [f"/es/screening/q/{q.id}" for q in content_es.questions] + [
        "/es/screening/check",
        "/es/screening/result",
        "/es/session",
        "/es/session/plans",
        "/es/session/plan/first-20/check/meal",
        "/es/session/plan/first-20/feedback",
    ]:
        page = client.get(path)
        assert page.status_code == 200, path
        assert '<html lang="es"' in page.text, path
    result = client.get("/es/screening/result").text
    assert content_es.outcomes.no_known_reason.they.title in result


def test_the_switch_links_the_same_page_and_answers_carry_over(
    client: TestClient, content: Content, content_es: Content
) -> None:
    answer_all(client, content_es, "es")
    client.post("/es/screening/q/glaucoma", data={"answer": "yes"})
    page = client.get("/es/screening/q/glaucoma?return=check").text
    assert 'href="/en/screening/q/glaucoma?return=check" lang="en" hreflang="en"' in page
    assert 'aria-current="true">Español' in page
    # The same answers, read in English.
    result = client.get("/en/screening/result").text
    assert '<html lang="en"' in result
    assert content.outcomes.avoid.they.title in result
    # A form sent without an answer shows the question again: its switch is that question.
    error = client.post("/es/screening/q/retina", data={})
    assert error.status_code == 422
    assert 'href="/en/screening/q/retina" lang="en"' in error.text
    # An unknown page leads to the other language's home.
    missing = client.get("/es/no-existe").text
    assert 'href="/en/" lang="en"' in missing


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("es-MX,es;q=0.9,en;q=0.8", ["es-mx", "es", "en"]),
        ("en;q=0.5, es;q=0.9", ["es", "en"]),
        ("es;q=0, en", ["en"]),
        ("fr-CA, fr;q=0.9, *;q=0.1", ["fr-ca", "fr", "*"]),
        ("*;q=0.5, es;q=0.1", ["*", "es"]),
        ("es;q=abc, en;q=0.2", ["en"]),
        ("", []),
    ],
)
def test_accept_language_is_read_with_its_weights(header: str, expected: list[str]) -> None:
    assert accepted_languages(header) == expected


def test_first_visit_follows_accept_language_and_the_choice_is_remembered(
    client: TestClient,
) -> None:
    def root(header: str) -> str:
        response = client.get("/", headers={"accept-language": header}, follow_redirects=False)
        assert response.status_code == 303
        assert "Accept-Language" in response.headers["vary"]
        return str(response.headers["location"])

    assert root("en;q=0.4, es-419;q=0.8") == "/es/"
    assert root("es;q=0, en;q=0.1") == "/en/"
    assert root("de, fr;q=0.5") == "/en/"
    # The wildcard ("any language", met by the default) outranks a weaker Spanish.
    assert root("*;q=0.5, es;q=0.1") == "/en/"
    assert root("es;q=0.6, *;q=0.5") == "/es/"
    # Opening a page in a language remembers it (a cookie with nothing but the code).
    page = client.get("/en/")
    assert "ig_lang=en" in page.headers["set-cookie"]
    assert root("es") == "/en/"
    client.get("/es/")
    assert client.cookies.get("ig_lang") == "es"
    assert root("en") == "/es/"


def test_each_language_has_its_own_manifest(client: TestClient) -> None:
    es = client.get("/es/manifest.webmanifest")
    assert es.headers["content-type"].startswith("application/manifest+json")
    manifest = es.json()
    assert manifest["lang"] == "es" and manifest["start_url"] == "/es/"
    assert manifest["name"] == "Guía de inversión" and manifest["short_name"] == "Inversión"
    assert len(manifest["short_name"]) <= 12
    assert manifest["id"] == "/es/"
    english = client.get("/en/manifest.webmanifest").json()
    # The default language keeps the site's id: installs made before languages stay one app.
    assert english["lang"] == "en" and english["start_url"] == "/en/" and english["id"] == "/"
    assert client.get("/manifest.webmanifest").json()["lang"] == "en"
    assert client.get("/xx/manifest.webmanifest").status_code == 404


def test_service_worker_and_offline_list_follow_the_language(client: TestClient) -> None:
    first = client.get("/sw.js").text.split("\n", 1)[0]
    match = re.fullmatch(r"self\.IG_CONFIG = (\{.*\});", first)
    assert match
    config = json.loads(match.group(1))
    routes = config["routes"]
    assert routes["langs"]["es"]["home"] == "/es/"
    assert routes["langs"]["es"]["offlineResult"] == "/es/screening/offline"
    assert "/es/manifest.webmanifest" in routes["manifests"]
    assert "/manifest.webmanifest" in routes["manifests"]
    assert config["shellByLang"]["es"] == ["/es/manifest.webmanifest", "/es/offline"]
    assert routes["forms"]["/es/screening/q/glaucoma"] == "/es/screening/offline"
    listing = client.get("/es/offline/files.json?speed=normal").json()
    assert listing["lang"] == "es"
    pages = [f["url"] for f in listing["files"] if f["kind"] == "page"]
    assert pages and all(url.startswith("/es/") for url in pages)
    assert "/es/manifest.webmanifest" in [f["url"] for f in listing["files"]]


# --- A third language is one file ----------------------------------------------------------


def test_a_third_language_is_one_content_file(tmp_path: Path) -> None:
    folder = copy_content(tmp_path, "en", "es")
    text = (CONTENT / "en.yaml").read_text(encoding="utf-8")
    text = text.replace("language: en\n", "language: xx\n", 1)
    text = text.replace("language_name: English\n", "language_name: Test language\n", 1)
    text = text.replace("  espeak_voice: en-gb\n", "  espeak_voice: en-us\n", 1)
    (folder / "xx.yaml").write_text(text, encoding="utf-8")

    contents = load_all(folder)  # the parity check passes
    assert set(contents) == {"en", "es", "xx"}
    settings = Settings(content_dir=folder, audio_dir=tmp_path / "audio", secret_key="x")
    with TestClient(create_app(settings)) as client:
        home = client.get("/xx/")
        assert home.status_code == 200 and '<html lang="xx"' in home.text
        assert 'href="/xx/" lang="xx" hreflang="xx"' in client.get("/es/").text
        assert client.get("/xx/manifest.webmanifest").json()["lang"] == "xx"
        client.cookies.clear()  # the visit to /es/ above was remembered
        assert client.get("/", headers={"accept-language": "xx"}).url.path == "/xx/"

    # Drop one key: the check names the file and the key.
    (folder / "xx.yaml").write_text(
        text.replace("  why_we_ask: Why we ask\n", "", 1), encoding="utf-8"
    )
    problems = problems_of(folder)
    assert f"{folder / 'xx.yaml'}: ui.why_we_ask: missing (it is in en.yaml)" in problems

    # The language's own words for the wording check live in the same file: a home page
    # using one of them is refused, naming the word.
    own = "wording_check:\n  forbidden:\n    zafe: '\\bzafe\\b'\n"
    text = text.replace("ui:\n", own + "ui:\n", 1)
    text = text.replace(
        "\nhome:\n  title: Inversion Guide\n  lead: ",
        "\nhome:\n  title: Inversion Guide\n  lead: It is zafe. ",
        1,
    )
    (folder / "xx.yaml").write_text(text, encoding="utf-8")
    problems = problems_of(folder)
    assert any("xx.yaml: home.lead: must not say 'zafe'" in p for p in problems), problems


def test_spanish_keeps_to_its_glossary(content_es: Content) -> None:
    """es.yaml's own choices (its header): the inversion table is "la mesa", the tether "la
    correa", a clinician "profesional de la salud"; "tabla" only for the history's data table;
    no word that gives the person a gender."""
    for key, text in content_es.all_strings():
        if key == "source" or key.endswith(".source"):
            continue
        lowered = text.lower()
        assert "profesional sanitario" not in lowered, key
        assert "el tope" not in lowered, key
        assert "tabla" not in lowered or key.startswith("carer.history_"), key
        assert not re.search(r"\bsentad[oa]\b", lowered), key
