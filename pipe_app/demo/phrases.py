"""Wording for demo records: believable, and naming nobody (records say "they")."""

from __future__ import annotations

from pipe_app.domain.enums import DepartureReason

KEY_WORK_TOPICS = (
    "curfew",
    "relationships",
    "move-on plans",
    "employment",
    "education",
    "substance use",
    "family contact",
    "licence conditions",
    "emotional wellbeing",
    "house rules",
    "finances",
    "physical health",
    "goals",
    "conflict in the house",
    "sleep",
)

RESIDENT_VOICE = (
    "Said the cooking group was the first time in weeks they felt part of something.",
    "Said they find evenings hardest and would like more to do after tea.",
    "Told me they are worried about what happens after move-on.",
    "Said staff being around in the kitchen makes it easier to talk.",
    "Felt the community meeting listened to them about the laundry rota.",
    "Said they are proud of getting to every appointment this week.",
    "Found the week difficult and did not want to say much at first.",
    "Said they want to rebuild contact with family slowly, on their own terms.",
    "Said the gardening group helps them switch off.",
    "Told me they had a row with another resident and wanted to talk it through.",
)

SUMMARIES = (
    "Talked through the week, including a difficult moment at the weekend and what helped.",
    "Reviewed progress on goals; some steps done, others carried over.",
    "Focused on the upcoming review and what they want to say at it.",
    "Explored a conflict in the house; they identified what set it off for them.",
    "Looked at the weekly activity diary together and planned next week.",
    "Short check-in; they were tired but engaged and chose the topics.",
    "Discussed move-on options and the housing application.",
    "Went over licence conditions after a question about travel.",
)

ACTIONS_AGREED = (
    "Resident to bring the housing form to the next session.",
    "Key worker to chase the GP appointment.",
    "Resident to try the Thursday art group.",
    "Key worker to ask the manager about an extended curfew for work.",
    "Both to review the activity diary next week.",
    "Resident to phone the college about the course start date.",
    "",
)

DNA_REASONS = (
    "Stayed in their room and declined to come down; rebooked for tomorrow.",
    "At a medical appointment that overran.",
    "Out at the agreed time; session rebooked.",
    "Said they were too tired; agreed to meet the next day.",
    "Working a late shift that was changed at short notice.",
)

ESCALATIONS = (
    "Raised with the duty manager; risk management plan reviewed the same day.",
    "Shared with the probation practitioner and recorded on the case record.",
    "Discussed with the psychologist at case consultation; plan updated.",
)

CREATIVE = {
    "cooking": ("Curry night", "Sunday roast", "Bake-off", "Soup and bread", "Pizza from scratch"),
    "art": ("Collage", "Clay pots", "Painting the garden fence mural", "Printmaking"),
    "singing": ("Karaoke", "Community choir", "Songs from home"),
    "drama": ("Improvisation", "Play reading", "Drama games"),
    "reading": ("Reading group: short stories", "Poetry together", "Reading group: a novel"),
    "gardening": ("Planting the raised beds", "Harvest and cook", "Tidying the garden"),
    "quiz": ("Pub quiz", "Music quiz", "Picture quiz"),
    "sport": ("Walking football", "Table tennis", "Park walk", "Badminton"),
    "outing": ("Museum visit", "Canal walk", "Trip to the library", "Botanical gardens"),
}

GROUP_OBSERVATIONS = (
    "Good energy; residents helped each other and stayed to tidy up.",
    "Quiet start, livelier once the music went on.",
    "Two new residents joined in; others showed them what to do.",
    "A disagreement over the rota was talked through calmly in the room.",
    "Residents asked to repeat this next month.",
    "Staff joined in rather than watched, which residents commented on.",
)

COMMUNITY_OBSERVATIONS = (
    "Agreed a new laundry rota; residents will review it in two weeks.",
    "Welcomed new residents; house rules reminder given by a resident.",
    "Discussed noise after curfew; residents proposed quiet hours themselves.",
    "Planned next month's activities; residents chose an outing.",
    "Feedback on the food budget; a resident will join the shopping trip.",
)

CANCELLED = (
    "Cancelled: staff shortage on shift.",
    "Cancelled: fire alarm testing and building works.",
    "Cancelled: too few residents in the house that evening.",
)

ABSENCE_NOTES = {
    "acceptable_absence": (
        "At work.",
        "Medical appointment.",
        "Probation appointment.",
        "At college.",
    ),
    "refused": ("Said they were not in the mood.", "Did not want to join in this week."),
    "unacceptable_absence": ("Out without telling staff.", "Missed without a reason given."),
    "suspended": ("Excluded from groups for a week after an incident, per the manager.",),
}

DEPARTURE_NOTES = {
    DepartureReason.PLANNED_MOVE_ON: "Moved on to supported housing as planned.",
    DepartureReason.OWN_VOLITION: "Left the house of their own choosing; probation informed.",
    DepartureReason.HOSPITAL: "Admitted to hospital; bed not held.",
    DepartureReason.BED_WITHDRAWN: "Bed withdrawn after repeated house-rule breaches.",
    DepartureReason.RECALL_ABSCOND: "Recalled after failing to return to the house.",
    DepartureReason.RECALL_BEHAVIOUR: "Recalled after increasing risk was identified.",
    DepartureReason.RECALL_CURFEW: "Recalled after repeated curfew breaches.",
    DepartureReason.RECALL_HOUSE_RULES: "Recalled after breaches of house rules.",
    DepartureReason.RECALL_CONDITION: "Recalled for breaching a licence condition.",
    DepartureReason.RECALL_DRUGS_TEST: "Recalled after a positive drugs test.",
    DepartureReason.OTHER: "Moved to another area for family reasons.",
}

SUPERVISION_THEMES = (
    "boundaries",
    "relational practice",
    "risk formulation",
    "staff wellbeing",
    "team dynamics",
    "endings and move-on",
    "curfew incidents",
    "self-harm disclosures",
    "splitting in the team",
    "enabling environment values",
    "working with trauma",
)

SUPERVISION_SUMMARIES = (
    "Reflected on a difficult week on shift and what the team did well.",
    "Worked through a formulation of a resident's pattern around endings.",
    "Talked about keeping boundaries warm but clear after a disclosure.",
    "Reviewed caseload, key-work frequency and upcoming reviews.",
    "Explored how an incident affected the team and how to repair relationships.",
    "Considered how to involve residents more in planning activities.",
)

SUPERVISION_ACTIONS = (
    "Read the team formulation before the next case consultation.",
    "Book the outstanding safeguarding refresher.",
    "Try a shared activity with the resident before the next key work.",
    "Bring a key-work record to the next session to reflect on.",
    "Ask the manager about protected time for reflective practice.",
    "Write up the community meeting proposals for the team.",
)

DEVELOPMENT_NEEDS = (
    "Wants to build confidence with formulation-based conversations.",
    "Would like to co-facilitate a socially creative session.",
    "Interested in the KUF train-the-trainer route.",
    "",
)
