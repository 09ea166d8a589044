"""One clinical story per demo patient, so every seed command tells the same one.

A story is what a clinician would read off the chart: the substances, the diagnoses that follow
from them, the medications that treat them, the treatment plan's problems, what notes talk about
and what drug tests show. ``seed_demo`` gives each patient a story and writes its substances and
diagnoses; the later seeds find the story again from the chart (its diagnosis codes are unique to
it, see ``story_for_codes``) and draw the medications, tests, plan and notes from it. The personal
details (work, the person who matters, triggers) come from ``life_of``, seeded by the patient's
name and birth date, so every command gets the same ones without storing anything extra.

All of it is synthetic: no real patient's story is told here.
"""

import random
from dataclasses import dataclass, field

from clinical.constants import FrequencyPeriod, InterventionModality
from patients.constants import AsamDimension, Route, Substance, UseFrequency

ADULT, TEEN, MATRIX = "adult-evenings", "adolescent-afternoons", "matrix-stimulant"

# ICD-10-CM use-disorder codes by substance; a story's diagnoses use these.
USE_DISORDER_PREFIX = {
    Substance.ALCOHOL: "F10",
    Substance.OPIOIDS: "F11",
    Substance.FENTANYL: "F11",
    Substance.CANNABIS: "F12",
    Substance.BENZODIAZEPINES: "F13",
    Substance.COCAINE: "F14",
    Substance.STIMULANTS: "F15",
    Substance.NICOTINE: "F17",
}
# What use of a substance shows on the demo's urine cup (and breath test for alcohol).
SUBSTANCE_ANALYTES = {
    Substance.ALCOHOL: ("breath_alcohol",),
    Substance.OPIOIDS: ("opiates", "oxycodone"),
    Substance.FENTANYL: ("fentanyl",),
    Substance.STIMULANTS: ("methamphetamine", "amphetamines"),
    Substance.COCAINE: ("cocaine",),
    Substance.CANNABIS: ("thc",),
    Substance.BENZODIAZEPINES: ("benzodiazepines",),
    Substance.NICOTINE: (),
}


@dataclass(frozen=True)
class Use:
    substance: str
    routes: tuple[str, ...]
    frequency: str
    # Chance a weekly test in the first two weeks catches use; it fades later in treatment.
    early_use: float


@dataclass(frozen=True)
class Med:
    catalogue_code: str
    dose: str
    frequency: str
    # "ours", "outside" or "otp" (medications.constants.MedicationSource)
    source: str = "ours"
    outside_prescriber: str = ""


@dataclass(frozen=True)
class Problem:
    """A plan problem; ``statement`` names the condition, which the chart must carry."""

    statement: str
    dimensions: tuple[int, ...]
    goals: tuple[str, ...]  # in the patient's words; one is chosen per patient
    objective: str
    interventions: tuple[tuple[str, int, str], ...]


@dataclass(frozen=True)
class Story:
    key: str
    program: str
    weight: int
    uses: tuple[Use, ...]  # primary first
    diagnoses: tuple[tuple[str, str], ...]  # primary first
    medications: tuple[Med, ...]
    referral_reason: str
    problems: tuple[Problem, ...]
    # Individual-note material: what the patient brings (Data/Subjective/Behaviour) …
    themes: tuple[str, ...]
    # … and what the clinician did about it (Intervention), with the plan that follows.
    work: tuple[tuple[str, str], ...]
    # One line per group session; {topic} is the session's curriculum topic.
    group_lines: tuple[str, ...]
    # A story whose MOUD may lapse for a while (the "absent MOUD" finding).
    moud_may_lapse: bool = False

    @property
    def primary(self) -> str:
        return self.uses[0].substance

    @property
    def substances(self) -> set[str]:
        return {use.substance for use in self.uses}

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(code for code, _ in self.diagnoses)


G, IND, F, M = (
    InterventionModality.GROUP,
    InterventionModality.INDIVIDUAL,
    InterventionModality.FAMILY,
    InterventionModality.MEDICATION_MANAGEMENT,
)
WEEK, MONTH = FrequencyPeriod.WEEK, FrequencyPeriod.MONTH
D = AsamDimension

DEPRESSION_PROBLEM = Problem(
    "Major depressive disorder: low mood, poor sleep and withdrawal from friends (PHQ-9 {phq_band}).",
    (D.EMOTIONAL,),
    (
        "“I want to feel like myself again and see my friends.”",
        "“Get out of bed on my days off and do something I used to enjoy.”",
        "“Stop feeling so flat all the time.”",
    ),
    "PHQ-9 below 10 at two reviews in a row; two planned pleasant activities a week, logged.",
    ((IND, 1, WEEK), (M, 1, MONTH)),
)
ANXIETY_PROBLEM = Problem(
    "Generalized anxiety disorder: constant worry and tension, eased by using (GAD-7 {gad_band}).",
    (D.EMOTIONAL, D.RELAPSE),
    (
        "“Handle my nerves without needing something to take the edge off.”",
        "“Get through a stressful day without panicking.”",
        "“Sleep through the night without worrying.”",
    ),
    "Uses paced breathing or grounding at three anxious moments a week (logged); GAD-7 below 10.",
    ((IND, 1, WEEK), (G, 1, WEEK)),
)
TRAUMA_PROBLEM = Problem(
    "Post-traumatic stress disorder: nightmares and hypervigilance; use began as a way to sleep.",
    (D.EMOTIONAL,),
    (
        "“Sleep without the nightmares waking me up.”",
        "“Feel safe enough at night not to need anything.”",
    ),
    "Nightmares on fewer than two nights a week for three weeks; names two grounding skills.",
    ((IND, 1, WEEK), (M, 1, MONTH)),
)

STORIES: tuple[Story, ...] = (
    Story(
        "alcohol-depression",
        ADULT,
        4,
        (Use(Substance.ALCOHOL, (Route.ORAL,), UseFrequency.DAILY, 0.5),),
        (
            ("F10.20", "Alcohol dependence, uncomplicated"),
            ("F32.1", "Major depressive disorder, single episode, moderate"),
        ),
        (
            Med("naltrexone_oral", "50 mg", "once daily"),
            Med("sertraline", "100 mg", "once daily", "outside", "Harbor Street Family Practice (PCP)"),
        ),
        "Drinking most evenings for two years, morning shakes, two missed shifts; PCP started sertraline.",
        (
            Problem(
                "Alcohol use disorder, severe: {amount} most evenings, morning tremor, missed work.",
                (D.RELAPSE, D.ENVIRONMENT),
                (
                    "“Stop drinking and keep my job at {work}.”",
                    "“Be sober when {my_person} needs me.”",
                    "“Get through evenings without a drink.”",
                ),
                "Negative breath alcohol at every visit for four weeks; takes naltrexone daily (pill log).",
                ((G, 3, WEEK), (IND, 1, WEEK), (M, 2, MONTH)),
            ),
            DEPRESSION_PROBLEM,
        ),
        (
            "Reports {days} days without alcohol; the hardest hour is {trigger}. Cravings {craving}/10.",
            "Describes a near-miss: drove past the liquor store after {trigger}, kept going and called {person}.",
            "Mood lower this week (“everything feels grey”); still sober, sleeping about six hours.",
            "Says naltrexone “takes the pull off”; forgot two doses over the weekend.",
        ),
        (
            (
                "Motivational interviewing on the pros and cons of drinking; reviewed the craving log.",
                "Keep the craving log; put the pill box next to the coffee maker.",
            ),
            (
                "Behavioural activation: scheduled two pleasant activities ({activity}).",
                "Try {activity} twice before the next session and rate mood before and after.",
            ),
            (
                "Chain analysis of the near-miss; rehearsed a call-first plan.",
                "Use the call-first plan; bring the chain worksheet.",
            ),
        ),
        (
            "related {topic} to {trigger}, when the urge to drink is strongest, and planned {activity} instead.",
            "said evenings are still the hardest part and asked the group how they fill them.",
            "shared that {person} noticed the difference after {days} sober days; visibly moved.",
        ),
    ),
    Story(
        "alcohol-anxiety",
        ADULT,
        3,
        (
            Use(Substance.ALCOHOL, (Route.ORAL,), UseFrequency.DAILY, 0.45),
            Use(Substance.CANNABIS, (Route.SMOKED,), UseFrequency.WEEKLY, 0.2),
        ),
        (
            ("F10.20", "Alcohol dependence, uncomplicated"),
            ("F41.1", "Generalized anxiety disorder"),
            ("F12.10", "Cannabis abuse, uncomplicated"),
        ),
        (Med("acamprosate", "666 mg", "three times daily"), Med("escitalopram", "10 mg", "once daily")),
        "Drinks to calm down after work, up to a bottle of wine a night; smokes cannabis to sleep at weekends.",
        (
            Problem(
                "Alcohol use disorder, severe: {amount} to manage anxiety; blackouts twice last month.",
                (D.RELAPSE, D.EMOTIONAL),
                ("“Stop using wine to calm down.”", "“Have a week with no drinking and no blackouts.”"),
                "Negative breath alcohol at every visit for four weeks; acamprosate three times a day.",
                ((G, 3, WEEK), (IND, 1, WEEK), (M, 2, MONTH)),
            ),
            ANXIETY_PROBLEM,
            Problem(
                "Cannabis use (mild) at weekends to sleep, which keeps the drinking pattern going.",
                (D.RELAPSE,),
                ("“Fall asleep without smoking.”", "“Keep weekends clear of alcohol and weed.”"),
                "Negative THC screens from week four; a written wind-down routine used five nights a week.",
                ((IND, 1, WEEK),),
            ),
        ),
        (
            "Reports {days} days without alcohol. Anxiety peaked before a meeting at {work}; used paced breathing.",
            "Worried about {person}; noticed the old thought “one glass will settle me” and named it out loud.",
            "Sleep is the struggle: lies awake until 1 a.m. without wine or cannabis. Cravings {craving}/10.",
            "Taking acamprosate at breakfast, lunch and dinner; missed the lunch dose twice at {work}.",
        ),
        (
            (
                "CBT for anxiety: identified catastrophic predictions and tested one.",
                "Write down one worry a day and what actually happened.",
            ),
            (
                "Sleep hygiene and a wind-down routine; reviewed the sleep diary.",
                "Keep the sleep diary; no screens after 10 p.m.",
            ),
            (
                "Grounding (5-4-3-2-1) practised twice in session.",
                "Use grounding at the first sign of panic; note when.",
            ),
        ),
        (
            "linked {topic} to anxiety before work and practised paced breathing with the group.",
            "admitted the weekend is when the urge for wine and a joint comes back; planned {activity} instead.",
            "said {days} days sober feels fragile but real; offered a peer a ride to a meeting.",
        ),
    ),
    Story(
        "alcohol-cocaine",
        ADULT,
        2,
        (
            Use(Substance.ALCOHOL, (Route.ORAL,), UseFrequency.SEVERAL_WEEKLY, 0.4),
            Use(Substance.COCAINE, (Route.INTRANASAL,), UseFrequency.WEEKLY, 0.3),
        ),
        (("F10.20", "Alcohol dependence, uncomplicated"), ("F14.10", "Cocaine abuse, uncomplicated")),
        (Med("acamprosate", "666 mg", "three times daily"),),
        "Weekend binges: drinks all evening, then uses cocaine to keep going; DUI arrest three months ago.",
        (
            Problem(
                "Alcohol use disorder, severe: binges of {amount} Friday to Sunday; DUI three months ago.",
                (D.RELAPSE, D.ENVIRONMENT),
                ("“No more lost weekends.”", "“Get my licence back and keep it.”"),
                "Negative breath alcohol at every visit for four weeks; attends two mutual-help meetings a week.",
                ((G, 3, WEEK), (IND, 1, WEEK), (M, 1, MONTH)),
            ),
            Problem(
                "Cocaine use (mild), only after drinking: the alcohol and cocaine cycle on weekends.",
                (D.RELAPSE,),
                ("“Break the drink-then-cocaine cycle.”", "“Delete the dealer's number and keep it deleted.”"),
                "Negative cocaine screens for four consecutive weeks; a written Friday-night plan.",
                ((G, 3, WEEK),),
            ),
        ),
        (
            "Reports {days} days without alcohol or cocaine; Friday was the test and spent it {activity}.",
            "Old friends texted about a party; declined and told {person}. Cravings {craving}/10.",
            "Court date next month for the DUI; anxious but says sobriety letters from the program help.",
            "Deleted the dealer's number after last session; describes feeling “lighter”.",
        ),
        (
            (
                "Relapse-prevention planning for the weekend; mapped the drink-then-cocaine chain.",
                "Friday-night plan on paper; text {person} at 9 p.m.",
            ),
            (
                "Motivational interviewing on the DUI and what the licence means.",
                "Attend two meetings this week; bring the sign-in sheet.",
            ),
            ("Refusal-skills rehearsal for the party invitation.", "Practise the refusal script; avoid the old bar."),
        ),
        (
            "tied {topic} to the Friday pattern: first drink, then the call for cocaine.",
            "role-played turning down an invitation from an old friend; firm but friendly.",
            "reported a sober weekend spent {activity}; the group applauded.",
        ),
    ),
    Story(
        "opioid-buprenorphine",
        ADULT,
        2,
        (Use(Substance.OPIOIDS, (Route.ORAL, Route.INTRANASAL), UseFrequency.DAILY, 0.35),),
        (("F11.20", "Opioid dependence, uncomplicated"), ("F41.1", "Generalized anxiety disorder")),
        (Med("buprenorphine_naloxone", "16 mg", "once daily"),),
        "Misused prescribed oxycodone after back surgery, then bought pills; started buprenorphine in the ED.",
        (
            Problem(
                "Opioid use disorder, severe, on buprenorphine-naloxone: pills bought after the prescription stopped.",
                (D.INTOXICATION, D.RELAPSE),
                ("“Stay on my medication and off the pills.”", "“Manage my back pain without opioids.”"),
                "Buprenorphine present and other opioids absent on every screen; attends every prescriber visit.",
                ((M, 2, MONTH), (G, 3, WEEK), (IND, 1, WEEK)),
            ),
            ANXIETY_PROBLEM,
        ),
        (
            "Taking buprenorphine every morning; {days} days without pills. Back pain 4/10 after physical therapy.",
            "A coworker at {work} offered a pill “for the pain”; said no and told the prescriber.",
            "Worried people at {work} will find out about treatment; discussed what is private (Part 2).",
            "Cravings {craving}/10, mostly on bad pain days; used heat and stretching instead.",
        ),
        (
            (
                "Reviewed MOUD adherence and the naloxone kit; pain coping without opioids.",
                "Keep the naloxone kit in the car; continue physical therapy twice a week.",
            ),
            (
                "CBT for anxiety about disclosure at work; rehearsed what to say.",
                "Decide who, if anyone, at {work} should know.",
            ),
            ("Urge surfing practised with a pain flare scenario.", "Log urges and pain scores daily."),
        ),
        (
            "connected {topic} to pain days, when the old pills felt like the only option.",
            "talked about staying on buprenorphine despite a relative calling it “trading one drug for another”.",
            "shared a win: {days} days without pills and back to {activity}.",
        ),
    ),
    Story(
        "fentanyl-buprenorphine",
        ADULT,
        3,
        (
            Use(Substance.FENTANYL, (Route.SMOKED, Route.INTRANASAL), UseFrequency.DAILY, 0.4),
            Use(Substance.NICOTINE, (Route.SMOKED,), UseFrequency.DAILY, 0.0),
        ),
        (
            ("F11.20", "Opioid dependence, uncomplicated"),
            ("F43.10", "Post-traumatic stress disorder, unspecified"),
            ("F17.210", "Nicotine dependence, cigarettes, uncomplicated"),
        ),
        (
            Med("buprenorphine_naloxone", "16 mg", "once daily"),
            Med("prazosin", "2 mg", "at bedtime"),
        ),
        "Non-fatal fentanyl overdose six weeks ago; started buprenorphine in hospital and wants structure.",
        (
            Problem(
                "Opioid use disorder, severe (fentanyl), on buprenorphine-naloxone after a non-fatal overdose.",
                (D.INTOXICATION, D.RELAPSE, D.BIOMEDICAL),
                ("“Stay alive and stay on my medication.”", "“Never go back to fentanyl.”"),
                "Buprenorphine present and fentanyl absent on every screen for six weeks; naloxone carried daily.",
                ((M, 2, MONTH), (G, 3, WEEK), (IND, 1, WEEK)),
            ),
            TRAUMA_PROBLEM,
            Problem(
                "Nicotine dependence (cigarettes): a pack a day, smoking with people who still use.",
                (D.BIOMEDICAL, D.ENVIRONMENT),
                ("“Cut down to half a pack.”", "“Stop smoking with the old crowd.”"),
                "Down to ten cigarettes a day by week six, counted on the tracker.",
                ((IND, 1, WEEK),),
            ),
        ),
        (
            "Reports {days} days without fentanyl; took buprenorphine daily. Nightmares three nights this week.",
            "Ran into someone from the old crowd at {trigger}; left and called {person}. Cravings {craving}/10.",
            "Prazosin helping: two nights of full sleep. Smoking about {cigarettes} cigarettes a day.",
            "Talked about the overdose for the first time in detail; tearful, then relieved.",
        ),
        (
            (
                "Safety planning after overdose; checked the naloxone kit; MOUD adherence.",
                "Naloxone in the jacket pocket; tell {person} where it is.",
            ),
            (
                "Trauma-informed grounding for nightmares; reviewed sleep with prazosin.",
                "Use grounding on waking; report sleep to the prescriber.",
            ),
            (
                "Motivational interviewing on smoking; set a daily cigarette target.",
                "Count cigarettes on the tracker; aim for {cigarettes_goal} a day.",
            ),
        ),
        (
            "related {topic} to the overdose and what staying alive now means to them.",
            "said they keep naloxone on them and showed a newer member how it works.",
            "spoke about nightmares and sleep; agreed to try the grounding exercise tonight.",
        ),
        moud_may_lapse=True,
    ),
    Story(
        "fentanyl-methadone",
        ADULT,
        2,
        (
            Use(Substance.FENTANYL, (Route.INJECTED,), UseFrequency.DAILY, 0.45),
            Use(Substance.COCAINE, (Route.SMOKED,), UseFrequency.WEEKLY, 0.3),
        ),
        (("F11.20", "Opioid dependence, uncomplicated"), ("F14.10", "Cocaine abuse, uncomplicated")),
        (Med("methadone", "80 mg", "daily, dosed at the OTP", "otp", "Eastside Opioid Treatment Program"),),
        "Dosed at Eastside OTP for three months; still using fentanyl and some crack; OTP referred for IOP.",
        (
            Problem(
                "Opioid use disorder, severe (injected fentanyl), on methadone at the OTP; use continues on top.",
                (D.INTOXICATION, D.RELAPSE, D.BIOMEDICAL),
                ("“Let the methadone do its job and stop using on top.”", "“Get take-home doses back.”"),
                "Methadone present and fentanyl absent on four consecutive screens; OTP dose reviewed monthly.",
                ((M, 1, MONTH), (G, 3, WEEK), (IND, 1, WEEK)),
            ),
            Problem(
                "Cocaine use (mild), smoked with the same people who sell fentanyl.",
                (D.RELAPSE, D.ENVIRONMENT),
                ("“Stay away from the block where I used.”", "“No crack, no fentanyl, one day at a time.”"),
                "Negative cocaine screens for four weeks; a new route to the OTP that avoids the old block.",
                ((G, 3, WEEK),),
            ),
        ),
        (
            "Dosed at the OTP daily this week; {days} days without fentanyl. Cravings {craving}/10 by afternoon.",
            "Took a new bus route to the OTP to avoid the old block; proud of it.",
            "Used crack once on Saturday with a cousin; honest about it, no fentanyl. Wants to talk about family.",
            "The OTP counsellor mentioned take-homes if screens stay clean; motivated by that.",
        ),
        (
            (
                "Coordinated with the OTP (consent on file); reviewed dose and afternoon cravings.",
                "Ask the OTP prescriber about a split dose; call Friday.",
            ),
            (
                "Harm reduction: naloxone, test strips, never using alone; chain analysis of the lapse.",
                "Carry naloxone; plan Saturday with {person}.",
            ),
            (
                "Motivational interviewing on take-home doses as a goal.",
                "Four clean screens; bring the OTP dosing card.",
            ),
        ),
        (
            "talked about {topic} in terms of the old block and the new bus route around it.",
            "was honest about a weekend lapse with cocaine and asked for the group's help with Saturdays.",
            "said the methadone holds until mid-afternoon and described how they ride out the rest.",
        ),
    ),
    Story(
        "benzodiazepine-taper",
        ADULT,
        1,
        (Use(Substance.BENZODIAZEPINES, (Route.ORAL,), UseFrequency.DAILY, 0.0),),
        (
            ("F13.20", "Sedative, hypnotic or anxiolytic dependence, uncomplicated"),
            ("F41.1", "Generalized anxiety disorder"),
        ),
        (Med("clonazepam", "0.5 mg", "twice daily (taper)"), Med("sertraline", "50 mg", "once daily")),
        "Taking alprazolam beyond prescription and from a friend; now on a supervised clonazepam taper.",
        (
            Problem(
                "Sedative (benzodiazepine) use disorder: alprazolam beyond prescription; on a clonazepam taper.",
                (D.INTOXICATION, D.BIOMEDICAL),
                ("“Finish the taper safely.”", "“Stop needing a pill to leave the house.”"),
                "Follows the taper schedule (pill count at each prescriber visit); no alprazolam from other sources.",
                ((M, 2, MONTH), (G, 3, WEEK)),
            ),
            ANXIETY_PROBLEM,
        ),
        (
            "Taper step this week (0.5 mg twice daily); rebound anxiety in the mornings, {craving}/10.",
            "Pill count matched; did not ask the friend for alprazolam although {trigger} was hard.",
            "Sleeping poorly after the dose reduction; using the breathing exercise at night.",
            "Went to the grocery store alone for the first time in months; proud of it.",
        ),
        (
            (
                "Psychoeducation on rebound anxiety during a taper; paced breathing.",
                "Breathing exercise morning and night; keep the taper calendar.",
            ),
            ("Exposure hierarchy for leaving the house; set the next step.", "Next step: {activity} alone this week."),
            (
                "Reviewed the pill count and taper schedule with the prescriber's plan.",
                "Bring the pill bottle to the next prescriber visit.",
            ),
        ),
        (
            "described the taper week and how {topic} fits mornings full of rebound anxiety.",
            "practised paced breathing with the group and said it helped more than expected.",
            "shared {activity} alone for the first time; a peer said it inspired them.",
        ),
    ),
    Story(
        "cannabis-depression",
        ADULT,
        1,
        (Use(Substance.CANNABIS, (Route.SMOKED, Route.VAPED), UseFrequency.DAILY, 0.8),),
        (
            ("F12.20", "Cannabis dependence, uncomplicated"),
            ("F33.1", "Major depressive disorder, recurrent, moderate"),
        ),
        (Med("bupropion", "150 mg", "every morning"),),
        "Smoking cannabis from waking to bedtime for five years; lost a job, depressed, partner gave an ultimatum.",
        (
            Problem(
                "Cannabis use disorder, severe: smoking from waking to bedtime; lost a job, partner's ultimatum.",
                (D.RELAPSE, D.READINESS),
                ("“Be clear-headed for my family.”", "“Get through a day without smoking.”"),
                "THC screens falling to negative by week five (daily use clears slowly); no use at home.",
                ((G, 3, WEEK), (IND, 1, WEEK)),
            ),
            DEPRESSION_PROBLEM,
        ),
        (
            "Reports {days} days without cannabis; irritable and sleeping badly, as expected in withdrawal.",
            "Vivid dreams since stopping; mood {craving}/10 low. Spent an afternoon {activity} with {person}.",
            "Applied for two jobs; anxious about the interview but did not smoke.",
            "Bupropion taken every morning; says the fog is lifting a little.",
        ),
        (
            (
                "Psychoeducation on cannabis withdrawal (sleep, irritability) and its time course.",
                "Sleep routine; no caffeine after noon.",
            ),
            ("Behavioural activation for depression; scheduled {activity}.", "Two planned activities with {person}."),
            (
                "Motivational interviewing on the ultimatum and what sobriety means at home.",
                "Talk with {person} about the family session.",
            ),
        ),
        (
            "related {topic} to mornings, when the urge to smoke used to start the day.",
            "was irritable at first, then described withdrawal sleep problems and got practical tips.",
            "said {days} days clear feels like waking up; is planning on {activity} this weekend.",
        ),
    ),
    Story(
        "teen-cannabis-vaping",
        TEEN,
        4,
        (
            Use(Substance.CANNABIS, (Route.VAPED,), UseFrequency.DAILY, 0.8),
            Use(Substance.NICOTINE, (Route.VAPED,), UseFrequency.DAILY, 0.0),
        ),
        (
            ("F12.20", "Cannabis dependence, uncomplicated"),
            ("F17.290", "Nicotine dependence, other tobacco product, uncomplicated"),
        ),
        (),
        "Vaping THC cartridges daily, including at school; grades down from B's to D's; conflict with parents.",
        (
            Problem(
                "Cannabis use disorder: vaping THC daily, including at school; grades falling, conflict at home.",
                (D.RELAPSE, D.ENVIRONMENT),
                ("“Get my grades back up so I can play {sport} again.”", "“Stop fighting with my parents about it.”"),
                "THC screens negative from week five; homework log signed by a parent five days a week.",
                ((G, 3, WEEK), (IND, 1, WEEK), (F, 2, MONTH)),
            ),
            Problem(
                "Nicotine dependence (vaping): vapes nicotine between classes; cravings when stopping THC.",
                (D.BIOMEDICAL,),
                ("“Vape less during the school day.”", "“Be able to get through a class without vaping.”"),
                "Down to vaping only after school by week six, counted on the tracker app.",
                ((IND, 1, WEEK),),
            ),
        ),
        (
            "{days} days without THC by own report; still vaping nicotine between classes. Cravings {craving}/10.",
            "Argued with parent about curfew, went to their room instead of going out to smoke.",
            "Friends at {trigger} still vape; sat with the {sport} team at lunch instead.",
            "Missing assignments down from six to two; teacher noticed.",
        ),
        (
            (
                "Motivational interviewing on grades and {sport}; decisional balance.",
                "Homework log every night; parent signs it.",
            ),
            (
                "Refusal skills for lunch and the bus; role play.",
                "Use the refusal line once this week and report back.",
            ),
            (
                "Family communication skills (with parent): one calm talk about curfew.",
                "Weekly check-in with parent on Sunday evening.",
            ),
        ),
        (
            "linked {topic} to the bus ride home, when friends pass around a vape.",
            "talked about wanting to play {sport} again and what it would take.",
            "said the first week without THC was irritable and boring, and that the second is better.",
        ),
    ),
    Story(
        "teen-cannabis-anxiety",
        TEEN,
        2,
        (Use(Substance.CANNABIS, (Route.SMOKED, Route.VAPED), UseFrequency.SEVERAL_WEEKLY, 0.7),),
        (("F12.10", "Cannabis abuse, uncomplicated"), ("F41.1", "Generalized anxiety disorder")),
        (Med("fluoxetine", "20 mg", "once daily"),),
        "Smokes cannabis to cope with anxiety about school; panic attack in class; school counsellor referred.",
        (
            Problem(
                "Cannabis use (mild) to cope with anxiety; missed 9 school days this term.",
                (D.RELAPSE, D.EMOTIONAL),
                ("“Go to school every day without getting high first.”", "“Find another way to calm down.”"),
                "THC screens negative from week four; attends every school day for three weeks.",
                ((G, 3, WEEK), (IND, 1, WEEK), (F, 1, MONTH)),
            ),
            ANXIETY_PROBLEM,
        ),
        (
            "Went to school four of five days; used the breathing exercise before {trigger}. Worry {craving}/10.",
            "Did not smoke this week; says anxiety was “loud” but manageable.",
            "Fluoxetine taken daily (parent confirms); fewer stomach aches before school.",
            "Had a panic feeling in the cafeteria, went to the nurse instead of leaving school.",
        ),
        (
            (
                "CBT for anxiety: thought record for the school mornings.",
                "One thought record a day; bring it next week.",
            ),
            ("Exposure plan for the cafeteria; ranked situations.", "Eat lunch in the cafeteria twice this week."),
            (
                "Family session skills: parent coaching for mornings.",
                "Parent uses the morning plan; no arguments before school.",
            ),
        ),
        (
            "described how {topic} fits the mornings before school, when worry is worst.",
            "practised the breathing exercise for the group and explained it to a newer member.",
            "was quiet at first, then said skipping cannabis made the anxiety feel bigger for a while.",
        ),
    ),
    Story(
        "teen-alcohol",
        TEEN,
        1,
        (
            Use(Substance.ALCOHOL, (Route.ORAL,), UseFrequency.WEEKLY, 0.3),
            Use(Substance.CANNABIS, (Route.SMOKED,), UseFrequency.MONTHLY, 0.15),
        ),
        (("F10.10", "Alcohol abuse, uncomplicated"), ("F12.90", "Cannabis use, unspecified, uncomplicated")),
        (),
        "Brought to the ED after drinking at a party (BAC 0.19); drinks at weekends with older friends.",
        (
            Problem(
                "Alcohol use (mild): weekend binge drinking; emergency visit with a BAC of 0.19.",
                (D.RELAPSE, D.ENVIRONMENT),
                ("“No more parties that end in the hospital.”", "“Get my parents' trust back.”"),
                "Negative breath alcohol at every visit; a safe-ride agreement signed with a parent.",
                ((G, 3, WEEK), (F, 2, MONTH)),
            ),
            Problem(
                "Cannabis use now and then at the same parties where the drinking happens.",
                (D.ENVIRONMENT,),
                ("“Spend weekends with friends who don't party.”",),
                "Negative THC screens; two sober weekend plans written with a parent.",
                ((IND, 1, WEEK),),
            ),
        ),
        (
            "Sober weekend: {activity} with a friend from {sport}; parent confirms.",
            "Invited to a party at {trigger}; said no and felt left out. Craving {craving}/10.",
            "Talked about the ED night; embarrassed but clearer about how much was drunk.",
            "Parent says trust is coming back slowly; curfew kept every night.",
        ),
        (
            (
                "Motivational interviewing on the ED visit; decisional balance.",
                "Write the safe-ride agreement with the parent.",
            ),
            ("Refusal skills and planning sober weekends.", "Plan Saturday with a friend from {sport}."),
            ("Family session: rebuilding trust, curfew and consequences.", "Keep curfew; weekly family check-in."),
        ),
        (
            "connected {topic} to the party where they ended up in the ED.",
            "role-played saying no to an older friend with a bottle; confident.",
            "talked about {sport} practice as the best part of the week.",
        ),
    ),
    Story(
        "matrix-methamphetamine",
        MATRIX,
        3,
        (
            Use(Substance.STIMULANTS, (Route.SMOKED,), UseFrequency.DAILY, 0.5),
            Use(Substance.NICOTINE, (Route.SMOKED,), UseFrequency.DAILY, 0.0),
        ),
        (
            ("F15.20", "Other stimulant dependence, uncomplicated"),
            ("F17.210", "Nicotine dependence, cigarettes, uncomplicated"),
        ),
        (Med("mirtazapine", "15 mg", "at bedtime"),),
        "Smoking methamphetamine most days for a year; weight loss, paranoia when using, lost housing once.",
        (
            Problem(
                "Stimulant (methamphetamine) use disorder, severe: most days for a year, paranoia, weight loss.",
                (D.RELAPSE, D.BIOMEDICAL, D.ENVIRONMENT),
                ("“Stay off meth and keep my apartment.”", "“Get my weight and sleep back.”"),
                "Negative methamphetamine screens for four weeks; sleeps six hours (mirtazapine, sleep log).",
                ((G, 3, WEEK), (IND, 1, WEEK), (M, 1, MONTH)),
            ),
            Problem(
                "Nicotine dependence (cigarettes): smokes more since stopping methamphetamine.",
                (D.BIOMEDICAL,),
                ("“Smoke less, not more, in recovery.”",),
                "Cigarettes counted daily; down to ten a day by the end of Matrix early recovery.",
                ((IND, 1, WEEK),),
            ),
        ),
        (
            "{days} days without methamphetamine; sleeping six hours with mirtazapine; gained four pounds.",
            "Thought-stopping used when a friend from {trigger} called. Cravings {craving}/10.",
            "Feels flat and tired (the “wall”, weeks 6–12); reassured it is expected.",
            "Kept to the daily schedule card; structure helps the afternoons.",
        ),
        (
            (
                "Matrix individual session: scheduling and the daily structure card.",
                "Fill in the schedule card every evening.",
            ),
            (
                "Thought-stopping and trigger review (external and internal).",
                "Practise thought-stopping; avoid {trigger}.",
            ),
            (
                "Psychoeducation on the recovery “wall”; relapse-drift warning signs.",
                "Call {person} on low days; attend the social support group.",
            ),
        ),
        (
            "related {topic} to the call from a friend who still uses and how they ended it.",
            "described the flat weeks of the “wall” and heard peers had the same.",
            "showed the daily schedule card; {days} days and counting.",
        ),
    ),
    Story(
        "matrix-cocaine",
        MATRIX,
        2,
        (
            Use(Substance.COCAINE, (Route.SMOKED, Route.INTRANASAL), UseFrequency.SEVERAL_WEEKLY, 0.5),
            Use(Substance.ALCOHOL, (Route.ORAL,), UseFrequency.WEEKLY, 0.25),
        ),
        (("F14.20", "Cocaine dependence, uncomplicated"), ("F10.10", "Alcohol abuse, uncomplicated")),
        (),
        "Cocaine binges after payday, escalating from weekends to weekdays; drinks to come down.",
        (
            Problem(
                "Cocaine use disorder, severe: binges after payday, now on weekdays; debts and missed work.",
                (D.RELAPSE, D.ENVIRONMENT),
                ("“Get through payday without using.”", "“Pay off what I owe and keep my job at {work}.”"),
                "Negative cocaine screens for four weeks; pay goes straight to savings with {person} as co-signer.",
                ((G, 3, WEEK), (IND, 1, WEEK)),
            ),
            Problem(
                "Alcohol use (mild): drinks to come down after cocaine; alcohol is a trigger for cocaine.",
                (D.RELAPSE,),
                ("“No drinking, because drinking leads to using.”",),
                "Negative breath alcohol at every visit; a written plan for the evening after payday.",
                ((G, 3, WEEK),),
            ),
        ),
        (
            "Payday this week: handed the card to {person}, spent the evening {activity}. {days} days without cocaine.",
            "Cravings {craving}/10 on Friday; used thought-stopping and left {trigger} early.",
            "Paid the first debt instalment; talks about shame and guilt about money.",
            "Did not drink at a cookout; says alcohol is “the door” to cocaine.",
        ),
        (
            (
                "Matrix: payday plan and money management; reviewed the budget.",
                "Automatic transfer to savings; {person} keeps the card on payday.",
            ),
            ("Trigger mapping (payday, alcohol, certain friends); thought-stopping.", "Avoid {trigger} on Fridays."),
            ("Guilt and shame: separating the behaviour from the person.", "Write one thing done right each day."),
        ),
        (
            "related {topic} to payday, the biggest trigger, and shared the plan with {person}.",
            "said alcohol is the door to cocaine and that they kept it shut at a cookout.",
            "talked about debts and shame; peers offered practical budgeting tips.",
        ),
    ),
)

_BY_CODES = {story.codes: story for story in STORIES}
if len(_BY_CODES) != len(STORIES):  # pragma: no cover - a mistake in the table above
    raise ValueError("Two demo stories share the same diagnoses; each must be recognisable from the chart.")
BY_KEY = {story.key: story for story in STORIES}


def stories_for(program: str) -> list[Story]:
    return [story for story in STORIES if story.program == program]


def story_for_codes(codes) -> Story | None:
    """The story a chart tells, recognised by its set of diagnosis codes."""
    return _BY_CODES.get(frozenset(codes))


# Personal details -----------------------------------------------------------------------

WORK = (
    "the warehouse", "the hospital laundry", "the bakery", "the auto shop", "the call centre", "the school cafeteria",
    "the hardware store", "the hotel front desk", "the construction site", "the nursing home", "the pharmacy counter",
    "the bus depot", "the restaurant", "the post office", "the daycare",
)  # fmt: skip
PEOPLE_ADULT = (
    "their sister", "their partner", "their daughter", "their son", "their sponsor", "their brother",
    "their mother", "an old friend from church", "their cousin", "their roommate",
)  # fmt: skip
PEOPLE_TEEN = ("their mother", "their father", "their grandmother", "their aunt", "their older brother", "their coach")
TRIGGERS_ADULT = (
    "the drive home from work", "payday", "the corner store on the way home", "Sunday afternoons",
    "a friend's barbecue", "arguments at home", "the end of a night shift", "sleepless nights", "the old neighbourhood",
    "being alone in the apartment", "the bar by the bus stop", "family birthdays",
)  # fmt: skip
TRIGGERS_TEEN = (
    "the skate park", "a friend's basement", "the bus stop after school", "weekend parties", "the mall",
    "the back of the bleachers", "group chats late at night",
)  # fmt: skip
# Gerund phrases, so they read in "spent the evening …", "planned … instead", "back to …".
ACTIVITIES = (
    "walking the dog", "going to the gym", "cooking dinner for the family", "fishing", "riding a bike by the river",
    "going to a meeting at the church hall", "playing guitar", "reading at the library", "playing pickup basketball",
    "gardening", "swimming at the Y", "painting", "walking by the harbour", "volunteering at the food pantry",
)  # fmt: skip
SPORTS = ("soccer", "basketball", "track", "volleyball", "baseball", "swimming", "wrestling", "softball")
AMOUNTS = (
    "six to eight beers", "a bottle of wine", "a pint of vodka", "ten or more drinks", "a twelve-pack",
    "half a bottle of whiskey",
)  # fmt: skip


@dataclass
class Life:
    """Details of one patient's life that the notes and goals mention; the same in every command."""

    work: str
    person: str
    trigger: str
    activity: str
    sport: str
    amount: str
    cigarettes: int
    rng: random.Random = field(repr=False)

    def fill(self, text: str, **extra) -> str:
        values = {
            "work": self.work,
            "person": self.person,
            "trigger": self.trigger,
            "activity": self.activity,
            "sport": self.sport,
            "amount": self.amount,
            "cigarettes": self.cigarettes,
            "cigarettes_goal": max(5, self.cigarettes - 6),
            # The same person in the patient's own words (goals are quoted).
            "my_person": self.person.replace("their ", "my ", 1),
        }
        values.update(extra)
        return text.format(**values)


def life_of(patient, *, teen: bool) -> Life:
    """The patient's personal details, drawn from their name and birth date (stable across commands)."""
    rng = random.Random(f"{patient.search_name}|{patient.date_of_birth.isoformat()}")
    return Life(
        work=rng.choice(WORK),
        person=rng.choice(PEOPLE_TEEN if teen else PEOPLE_ADULT),
        trigger=rng.choice(TRIGGERS_TEEN if teen else TRIGGERS_ADULT),
        activity=rng.choice(ACTIVITIES),
        sport=rng.choice(SPORTS),
        amount=rng.choice(AMOUNTS),
        cigarettes=rng.randint(12, 22),
        rng=rng,
    )


def story_of(patient, codes) -> tuple[Story | None, Life]:
    """The story and personal details of a seeded patient, read back from the chart's diagnosis codes."""
    story = story_for_codes(codes)
    return story, life_of(patient, teen=bool(story and story.program == TEEN))
