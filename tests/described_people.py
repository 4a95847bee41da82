"""Described people, each answered as a careful clinician would answer for them, and the
outcome CLINICAL-FACTS' decisions give them (issue 20, "Done when").

Written by the team, not taken from the review's held-out set. Every third-pass decision
(8-13) has people here, and the hard cases: conditions that are controlled or in the past,
carers answering for someone, "not sure", and several reasons at different levels at once
(the most cautious must win). An answer not named is "no".
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Person:
    key: str
    who: str  # how a clinician would describe them
    expected: str  # the outcome level the decisions give
    answers: dict[str, str] = field(default_factory=dict)  # question id -> yes / not-sure
    perspective: str = "you"  # "they": a carer answers for them
    # A "not sure" to a red flag: the result adds "ask a doctor about it today".
    red_flag_not_sure: bool = False


Y, U = "yes", "not-sure"

PEOPLE: tuple[Person, ...] = (
    # --- Decision 8: red flags, emergency --------------------------------------------------
    Person(
        "cauda-equina-bladder",
        "52, sciatica, new trouble passing urine since Tuesday",
        "emergency",
        {"red-flags": Y, "nerve-symptoms": Y},
    ),
    Person(
        "saddle-numbness",
        "44, back pain, numb around the bottom since this morning",
        "emergency",
        {"red-flags": Y},
    ),
    Person(
        "both-legs-tingling",
        "38, back pain, numbness and tingling in both legs",
        "emergency",
        {"red-flags": Y, "nerve-symptoms": Y},
    ),
    Person(
        "legs-getting-weaker-carer",
        "carer: her father's legs get weaker each day",
        "emergency",
        {"red-flags": Y, "age": Y, "nerve-symptoms": Y},
        perspective="they",
    ),
    Person(
        "emergency-beats-today",
        "60, fever and new bladder trouble with back pain",
        "emergency",
        {"red-flags": Y, "red-flags-today": Y},
    ),
    # --- Decision 8: red flags, see a doctor today -----------------------------------------
    Person(
        "fever",
        "35, back pain with a fever and shivers for two days",
        "urgent",
        {"red-flags-today": Y},
    ),
    Person(
        "weight-loss-night-pain",
        "58, lost 6 kg without trying, pain worse at night",
        "urgent",
        {"red-flags-today": Y},
    ),
    Person(
        "cancer-new-pain",
        "63, breast cancer treated 5 years ago, new back pain",
        "urgent",
        {"red-flags-history": Y, "spine-infection-cancer": U},
    ),
    Person(
        "fall-not-examined",
        "47, fell off a ladder last week, back pain since, not seen",
        "urgent",
        {"red-flags-history": Y},
    ),
    Person(
        "heart-failure-and-fever",
        "66, heart failure, now back pain and a fever",
        "urgent",
        {"red-flags-today": Y, "heart-disease": Y, "age": Y},
    ),
    Person(
        "carer-fever",
        "carer: his wife has back pain and feels hot and shivery",
        "urgent",
        {"red-flags-today": Y},
        perspective="they",
    ),
    # --- Decision 9: age --------------------------------------------------------------------
    Person(
        "teenager",
        "15, sore back from sport, seen by a physio, otherwise well",
        "ask-first",
        {"age": Y},
    ),
    Person(
        "eighty-five",
        "85, walks daily, back pain assessed, no known conditions",
        "ask-first",
        {"age": Y},
    ),
    Person(
        "sixty-five-carer",
        "carer: her mother is 67 and otherwise well",
        "ask-first",
        {"age": Y},
        perspective="they",
    ),
    # --- Decision 10: bones and steroids ------------------------------------------------------
    Person(
        "osteopenia",
        "55, a scan showed low bone density, not osteoporosis",
        "ask-first",
        {"thin-bones": Y},
    ),
    Person(
        "long-term-steroids",
        "61, prednisolone for 8 months for polymyalgia",
        "ask-first",
        {"thin-bones": Y},
    ),
    Person(
        "osteoporosis", "72, osteoporosis on alendronate", "avoid", {"osteoporosis": Y, "age": Y}
    ),
    # --- Decision 11: breathing and circulation ---------------------------------------------
    Person("copd", "59, COPD, breathless on stairs", "ask-first", {"breathing": Y}),
    Person(
        "mild-asthma",
        "30, mild asthma, an inhaler twice a year, never breathless",
        "no-known-reason",
        {},
    ),
    Person(
        "carotid-stenosis",
        "68, narrowed neck artery found after a mini stroke",
        "avoid",
        {"circulation": Y, "brain-disorder": Y, "age": Y},
    ),
    Person(
        "recent-clot",
        "45, a clot in the leg 3 months ago, now off blood thinners",
        "avoid",
        {"circulation": Y},
    ),
    Person(
        "aneurysm",
        "70, a small aortic aneurysm being watched",
        "avoid",
        {"circulation": Y, "age": Y},
    ),
    Person(
        "faints-on-standing",
        "50, nearly faints when standing up quickly",
        "avoid",
        {"circulation": Y, "dizzy-faint": Y},
    ),
    # --- Decision 12: weight-bearing joints ---------------------------------------------------
    Person("ankle-arthritis", "57, arthritis in one ankle", "ask-first", {"weight-joints": Y}),
    Person(
        "hypermobility", "28, hypermobile joints (Ehlers-Danlos)", "ask-first", {"weight-joints": Y}
    ),
    Person(
        "knee-replacement",
        "64, a knee replacement 2 years ago",
        "ask-first",
        {"weight-joints": Y, "implants": Y},
    ),
    # --- Decision 13: being able to tell -------------------------------------------------------
    Person(
        "dementia-carer",
        "carer: her husband has advanced dementia",
        "avoid",
        {"can-tell": Y, "age": Y},
        perspective="they",
    ),
    Person(
        "no-speech-carer",
        "carer: a young man who cannot speak and has no way to signal",
        "avoid",
        {"can-tell": Y},
        perspective="they",
    ),
    # --- Earlier decisions, controlled and past conditions -----------------------------------
    Person(
        "controlled-blood-pressure",
        "54, blood pressure normal on ramipril",
        "avoid",
        {"high-blood-pressure": Y},
    ),
    Person(
        "past-retinal-detachment",
        "49, a retina repaired 10 years ago, fine since",
        "avoid",
        {"retina": Y},
    ),
    Person("glaucoma-drops", "62, glaucoma controlled with drops", "avoid", {"glaucoma": Y}),
    Person("cataract-only", "71, cataract, nothing else", "ask-first", {"eye-other": Y, "age": Y}),
    Person(
        "long-sight-loss",
        "40, blind since birth, no pressure or retinal problem",
        "ask-first",
        {"eye-other": Y},
    ),
    Person(
        "past-stroke", "58, a stroke 6 years ago, fully recovered", "avoid", {"brain-disorder": Y}
    ),
    Person("epilepsy-controlled", "33, epilepsy, no fit for 4 years", "avoid", {"dizzy-faint": Y}),
    Person(
        "one-leg-sciatica", "42, sciatica with tingling in one leg", "avoid", {"nerve-symptoms": Y}
    ),
    Person("reflux", "46, acid reflux on omeprazole", "avoid", {"hernia": Y}),
    Person(
        "apixaban",
        "69, atrial fibrillation on apixaban",
        "avoid",
        {"heart-disease": Y, "blood-thinners": Y, "age": Y},
    ),
    Person("pregnant", "31, 20 weeks pregnant, low back pain", "avoid", {"pregnancy": Y}),
    Person(
        "waiting-for-scan",
        "39, back pain, waiting for an MRI, cause unknown",
        "ask-first",
        {"back-pain-unchecked": Y},
    ),
    Person("scoliosis", "26, a marked scoliosis", "ask-first", {"spinal-curvature": Y}),
    Person(
        "fall-examined",
        "50, fell 2 months ago, examined and X-rayed, cause known",
        "no-known-reason",
        {},
    ),
    Person(
        "cancer-old-pain-unchanged",
        "60, bowel cancer 8 years ago, the same back pain "
        "for 20 years, does not know about the spine",
        "ask-first",
        {"spine-infection-cancer": U},
    ),
    Person(
        "assessed-and-well",
        "40, disc bulge ruled out, mechanical back pain, well",
        "no-known-reason",
        {},
    ),
    # --- "Not sure" --------------------------------------------------------------------------
    Person(
        "unknown-blood-pressure-carer",
        "carer: does not know her aunt's blood pressure",
        "ask-first",
        {"high-blood-pressure": U},
        perspective="they",
    ),
    Person(
        "unsure-bladder",
        "55, not sure whether a new bladder problem is new",
        "ask-first",
        {"red-flags": U},
        red_flag_not_sure=True,
    ),
    Person(
        "unsure-fever",
        "carer: not sure whether he had a temperature",
        "ask-first",
        {"red-flags-today": U},
        perspective="they",
        red_flag_not_sure=True,
    ),
    Person(
        "unsure-can-tell-carer",
        "carer: unsure her son could say he feels unwell",
        "ask-first",
        {"can-tell": U},
        perspective="they",
    ),
    Person(
        "new-carer-knows-little",
        "carer: a neighbour's helper who knows little of him",
        "ask-first",
        {"red-flags-history": U, "high-blood-pressure": U, "heart-disease": U, "age": Y},
        perspective="they",
        red_flag_not_sure=True,
    ),
    Person(
        "diabetic-eyes-and-more",
        "67, diabetic eye disease, low bone density, knee pain",
        "avoid",
        {"retina": Y, "thin-bones": Y, "weight-joints": Y, "age": Y},
    ),
    Person(
        "unsure-red-flag-and-avoid",
        "not sure about leg weakness, has glaucoma",
        "avoid",
        {"red-flags": U, "glaucoma": Y},
        red_flag_not_sure=True,
    ),
)
