"""Voice: English sentences and intent handlers for Assist.

Intent handlers (`VerticalFarm...`) are registered with Home Assistant's
intent helper, so any agent, custom sentence or `intent_script` user can call
them with a `name` slot (a rack, tank or plant, matched case-insensitively,
also by species: "the basil", "tomatoes").

How the sentences reach the default Assist agent without the grower copying
files: Home Assistant 2026.10 loads sentences only from the bundled
`home-assistant-intents` package, `<config>/custom_sentences/` and the
`conversation:` YAML block; the one runtime hook open to an integration is the
sentence-trigger registry of the conversation agent manager
(`get_agent_manager(hass).register_trigger`), the same one automations'
`conversation` triggers use. Trigger sentences are matched before the
built-in intents and treat `{lists}` as wildcards, which would swallow
unrelated sentences ("how is the weather"). So the registered "gate"
sentences spell out the farm's current names inline (refreshed whenever a
farm loads, unloads or a rack, tank or plant is added, renamed or removed)
and only match sentences that name one of them. When the gate matches, the
sentence is recognised again against the full grammar below, whose names are
proper hassil list slots, and the matching intent handler answers.

Any sentence naming a subject may also name its farm ("I watered rack one in
the Home farm"), in the gate spelled out like the subjects' names. A sentence
that records something and names what several farms have records nothing
until the grower says which farm.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar, Final, override

from hassil.intents import Intents
from hassil.recognize import RecognizeResult, recognize_best
from homeassistant.components.conversation import ConversationInput
from homeassistant.components.conversation.agent_manager import get_agent_manager
from homeassistant.config_entries import (
    SIGNAL_CONFIG_ENTRY_CHANGED,
    ConfigEntry,
    ConfigEntryChange,
)
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import intent
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.util.hass_dict import HassKey
import probatio

from .assistant import (
    LookupFailure,
    Subject,
    SubjectKind,
    SubjectLookupError,
    async_complete_care,
    async_log_watering,
    due_care,
    loaded_farms,
    local_now,
    named_subjects,
    next_care,
    plant_status,
    spoken_farm_names,
    spoken_names,
    tank_status,
)
from .const import DOMAIN
from .engine.care import CareKind
from .engine.profiles import Library
from .topology import FarmConfig

INTENT_CARE_DUE: Final = "VerticalFarmCareDue"
INTENT_PLANT_STATUS: Final = "VerticalFarmPlantStatus"
INTENT_TANK_STATUS: Final = "VerticalFarmTankStatus"
INTENT_LOG_WATERING: Final = "VerticalFarmLogWatering"
INTENT_CARE_DONE: Final = "VerticalFarmCareDone"
INTENT_HARVEST_WHEN: Final = "VerticalFarmHarvestWhen"

SLOT_NAME: Final = "name"
SLOT_MEASURE: Final = "measure"
SLOT_TASK: Final = "task"
SLOT_FARM: Final = "farm"

LANGUAGE: Final = "en"
SORRY: Final = "Sorry, I did not understand that."
MAX_SPOKEN_TASKS = 8  # a longer list is cut short: nobody listens to twenty chores

VOICE: HassKey[FarmVoice] = HassKey(f"{DOMAIN}_voice")

# Spoken words for the small fixed lists (slot value -> ways to say it).
MEASURES: Mapping[str, tuple[str, ...]] = {
    "ec": ("ec", "e c", "conductivity", "electrical conductivity"),
    "ph": ("ph", "p h", "acidity"),
    "level": ("level", "water level", "fill level"),
    "temperature": ("temperature", "water temperature"),
}
TASKS: Mapping[CareKind, tuple[str, ...]] = {
    CareKind.WATER: ("watering",),
    CareKind.FERTILIZE: ("feeding", "fertilizing", "fertilising"),
    CareKind.REPOT: ("repotting",),
    CareKind.PEST_CHECK: ("pest check", "pest checking"),
}
TASK_NOUN: Mapping[CareKind, str] = {
    CareKind.WATER: "watering",
    CareKind.FERTILIZE: "feeding",
    CareKind.REPOT: "repotting",
    CareKind.PEST_CHECK: "pest check",
}
PROBLEM_PHRASES: Mapping[str, str] = {
    "ec_low": "the EC is low",
    "ec_high": "the EC is high",
    "ph_low": "the pH is low",
    "ph_high": "the pH is high",
    "ph_drift": "the pH is drifting fast",
    "level_low": "the level is low",
    "level_mismatch": "the level and volume sensors disagree",
    "water_too_cold": "the water is too cold",
    "water_too_warm": "the water is too warm",
    "probe_stale": "a probe reading is stale",
    "solution_old": "the solution is due for a change",
    "maintenance_due": "maintenance is due",
    "plant_conflict": "its plants want different EC or pH",
}


# --- Grammar ------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class Phrase:
    """A sentence pattern naming one rack, tank or plant.

    `before` and `after` are hassil templates around the name; `{measure}`
    and `{task}` stand for the small fixed lists.
    """

    intent: str
    before: str
    names: SubjectKind
    after: str = ""
    slots: Mapping[str, str] = field(default_factory=dict)

    @property
    def name_first(self) -> bool:
        """The sentence starts with the name ("the basil was watered")."""
        return self.before.startswith("[")


PLANT, RACK, TANK = SubjectKind.PLANT, SubjectKind.RACK, SubjectKind.TANK
THE = "[the|my]"
DONE = "[as] (done|complete|completed)"
READY = "ready (to harvest|for harvest|to be harvested|to pick)"
IN_FARM = "(in|on|at) [the|my]"  # before a farm's name: "in the Home farm"

CARE_DUE_SENTENCES: tuple[str, ...] = (
    "what do [all] [the|my] plants need [today]",
    "what does [the|my] (farm|garden) need [today]",
    "what (plant|farm|garden) (care|tasks|jobs|chores) (is|are) due [today]",
    "(which|what) plants need (care|attention|watering|water) [today]",
    "what (do|should) I (do|need to do) for [the|my] plants [today]",
)

PHRASES: tuple[Phrase, ...] = (
    Phrase(
        intent=INTENT_PLANT_STATUS,
        before=f"how (is|are) {THE}",
        names=PLANT,
        after="[doing]",
    ),
    Phrase(
        intent=INTENT_PLANT_STATUS,
        before=f"(what is|what's) the status of {THE}",
        names=PLANT,
    ),
    Phrase(
        intent=INTENT_TANK_STATUS, before=f"how is {THE}", names=TANK, after="[doing]"
    ),
    Phrase(
        intent=INTENT_TANK_STATUS,
        before=f"(what is|what's) the status of {THE}",
        names=TANK,
    ),
    Phrase(
        intent=INTENT_TANK_STATUS,
        before=f"(what is|what's) the {{measure}} (of|in) {THE}",
        names=TANK,
    ),
    Phrase(
        intent=INTENT_TANK_STATUS,
        before=f"how (full is|much water is [left] in) {THE}",
        names=TANK,
        slots={SLOT_MEASURE: "level"},
    ),
    Phrase(
        intent=INTENT_TANK_STATUS,
        before=f"how (warm|cold) is [the water in] {THE}",
        names=TANK,
        slots={SLOT_MEASURE: "temperature"},
    ),
    *(
        phrase
        for kind in (PLANT, RACK)
        for phrase in (
            Phrase(
                intent=INTENT_LOG_WATERING,
                before=f"I [have|just|have just] watered {THE}",
                names=kind,
            ),
            Phrase(
                intent=INTENT_LOG_WATERING,
                before=f"I [just] gave {THE}",
                names=kind,
                after="[some] water",
            ),
            Phrase(
                intent=INTENT_LOG_WATERING,
                before=f"(log|record) [a] watering (of|for) {THE}",
                names=kind,
            ),
            Phrase(
                intent=INTENT_LOG_WATERING,
                before=THE,
                names=kind,
                after="(was|were|has been|have been) watered",
            ),
        )
    ),
    Phrase(
        intent=INTENT_CARE_DONE,
        before=f"I (did|have done|finished) the {{task}} (of|for) {THE}",
        names=PLANT,
    ),
    Phrase(
        intent=INTENT_CARE_DONE,
        before=f"mark [the] {{task}} [task] (of|for) {THE}",
        names=PLANT,
        after=DONE,
    ),
    Phrase(
        intent=INTENT_CARE_DONE,
        before=f"mark {THE}",
        names=PLANT,
        after=f"{{task}} [task] {DONE}",
    ),
    Phrase(
        intent=INTENT_CARE_DONE,
        before=f"I [have] (fed|fertilized|fertilised) {THE}",
        names=PLANT,
        slots={SLOT_TASK: str(CareKind.FERTILIZE)},
    ),
    Phrase(
        intent=INTENT_CARE_DONE,
        before=f"I [have] repotted {THE}",
        names=PLANT,
        slots={SLOT_TASK: str(CareKind.REPOT)},
    ),
    Phrase(
        intent=INTENT_CARE_DONE,
        before=f"I [have] checked {THE}",
        names=PLANT,
        after="for pests",
        slots={SLOT_TASK: str(CareKind.PEST_CHECK)},
    ),
    Phrase(
        intent=INTENT_HARVEST_WHEN,
        before=f"when can I (harvest|pick) {THE}",
        names=PLANT,
    ),
    Phrase(
        intent=INTENT_HARVEST_WHEN,
        before=f"when (is|are|will) {THE}",
        names=PLANT,
        after=f"[be] ({READY}|ready)",
    ),
    Phrase(
        intent=INTENT_HARVEST_WHEN, before=f"(is|are) {THE}", names=PLANT, after=READY
    ),
    Phrase(
        intent=INTENT_HARVEST_WHEN,
        before=f"can I (harvest|pick) {THE}",
        names=PLANT,
        after="[now|today|yet]",
    ),
)


def _list_name(kind: SubjectKind) -> str:
    return f"vf_{kind}"


def _with_lists(template: str) -> str:
    """A template with `{measure}`/`{task}` turned into hassil list references."""
    return template.replace("{measure}", f"{{vf_measure:{SLOT_MEASURE}}}").replace(
        "{task}", f"{{vf_task:{SLOT_TASK}}}"
    )


def _inline(template: str) -> str:
    """A template with `{measure}`/`{task}` spelled out (trigger lists are wildcards)."""
    measures = "|".join(word for words in MEASURES.values() for word in words)
    tasks = "|".join(word for words in TASKS.values() for word in words)
    return template.replace("{measure}", f"({measures})").replace(
        "{task}", f"({tasks})"
    )


def _sentences(phrase: Phrase, in_farm: str) -> list[str]:
    """A phrase's templates: the farm, if any, right after the name or at the end."""
    name = f"{{{_list_name(phrase.names)}:{SLOT_NAME}}}"
    if not in_farm:
        return [" ".join(part for part in (phrase.before, name, phrase.after) if part)]
    if not phrase.after:
        return [f"{phrase.before} {name} [{in_farm}]"]
    return [
        f"{phrase.before} {name} [{in_farm}] {phrase.after}",
        f"{phrase.before} {name} {phrase.after} {in_farm}",
    ]


def grammar(
    names: Mapping[SubjectKind, Iterable[str]], farms: Iterable[str] = ()
) -> Intents:
    """The full English grammar, with the subjects' and farms' names as list slots."""
    intents: dict[str, dict[str, list[dict[str, Any]]]] = {
        INTENT_CARE_DUE: {"data": [{"sentences": list(CARE_DUE_SENTENCES)}]}
    }
    farm_names = sorted(farms)
    in_farm = f"{IN_FARM} {{vf_farm:{SLOT_FARM}}}" if farm_names else ""
    for phrase in PHRASES:
        data: dict[str, Any] = {
            "sentences": [
                _with_lists(sentence) for sentence in _sentences(phrase, in_farm)
            ]
        }
        if phrase.slots:
            data["slots"] = dict(phrase.slots)
        intents.setdefault(phrase.intent, {"data": []})["data"].append(data)
    lists: dict[str, Any] = {
        _list_name(kind): {
            "values": [
                {"in": name, "out": name} for name in sorted(names.get(kind, ()))
            ]
        }
        for kind in SubjectKind
    }
    lists["vf_farm"] = {"values": [{"in": name, "out": name} for name in farm_names]}
    lists["vf_measure"] = {
        "values": [
            {"in": word, "out": value}
            for value, words in MEASURES.items()
            for word in words
        ]
    }
    lists["vf_task"] = {
        "values": [
            {"in": word, "out": str(kind)}
            for kind, words in TASKS.items()
            for word in words
        ]
    }
    return Intents.from_dict({"language": LANGUAGE, "intents": intents, "lists": lists})


type _WordTree = dict[str, _WordTree]
_END = ""  # marks where a whole name ends in the word tree


def alternation(names: Iterable[str]) -> str:
    """Names as one hassil alternation sharing their leading words.

    "basil", "basil tray" and "basils" become "(basil [tray]|basils)", far
    shorter to parse and quicker to match than every name spelled out, which
    matters in a farm with hundreds of "Lettuce tray 1", "Lettuce tray 2"...
    """
    tree: _WordTree = {}
    for name in names:
        node = tree
        for word in name.split():
            node = node.setdefault(word, {})
        node[_END] = {}
    return _render(tree)


def _render(node: _WordTree) -> str:
    branches: list[str] = []
    for word, child in sorted(node.items()):
        if word == _END:
            continue
        if child.keys() == {_END}:
            branches.append(word)
        else:
            rest = _render(child)
            branches.append(f"{word} [{rest}]" if _END in child else f"{word} {rest}")
    return branches[0] if len(branches) == 1 else f"({'|'.join(branches)})"


def gate_sentences(
    names: Mapping[SubjectKind, Iterable[str]],
    phrases: Iterable[Phrase] = PHRASES,
    *,
    farms: Iterable[str] = (),
) -> list[str]:
    """Trigger sentences that match only what names one of the farms' subjects.

    Each name list appears in few sentences (parsing alternatives is the cost
    that grows with the farm), so the patterns of one kind are merged: any
    opening, a name, maybe its farm, any ending, maybe the farm. Loose
    combinations that pass the gate but not the grammar get a polite "not
    understood".
    """
    sentences = list(CARE_DUE_SENTENCES)
    farm_names = sorted(farms)
    in_farm = f"{IN_FARM} {alternation(farm_names)}" if farm_names else ""
    for kind in SubjectKind:
        spoken = sorted(names.get(kind, ()))
        if not spoken:
            continue
        alternatives = alternation(spoken)
        for name_first in (False, True):
            group = [
                phrase
                for phrase in phrases
                if phrase.names is kind and phrase.name_first is name_first
            ]
            if not group:
                continue
            befores = sorted({_inline(phrase.before) for phrase in group})
            afters = sorted({_inline(phrase.after) for phrase in group if phrase.after})
            parts = [f"({'|'.join(befores)})", alternatives]
            if in_farm:
                parts.append(f"[{in_farm}]")
            if afters:
                ending = f"({'|'.join(afters)})"
                if in_farm:
                    ending = f"{ending} [{in_farm}]"
                # A sentence that starts with the name must go on after it.
                parts.append(ending if name_first else f"[{ending}]")
            sentences.append(" ".join(parts))
    return sentences


# --- Speech -------------------------------------------------------------------


def spoken_date(on: date, today: date) -> str:
    """A date as said aloud, relative to today when close ("tomorrow", "June 22")."""
    match (on - today).days:
        case 0:
            return "today"
        case 1:
            return "tomorrow"
        case -1:
            return "yesterday"
    text = f"{on:%B} {on.day}"
    return text if on.year == today.year else f"{text}, {on.year}"


def spoken_number(value: float, *, decimal: bool = False) -> str:
    """A reading with at most two decimals; `decimal` keeps one ("1.0" for EC, pH)."""
    text = f"{round(value, 2):g}"
    return f"{text}.0" if decimal and "." not in text else text


def join_words(items: Iterable[str]) -> str:
    """Words joined as in a sentence: "a", "a and b", "a, b and c"."""
    words = list(items)
    if len(words) <= 2:
        return " and ".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _for_days(days: int) -> str:
    if days <= 0:
        return "since today"
    return "for 1 day" if days == 1 else f"for {days} days"


def care_due_speech(
    due: list[dict[str, Any]], following: dict[str, Any] | None, today: date
) -> str:
    """What is due today, or else what comes next."""
    if not due:
        if following is None:
            return "Nothing is due today."
        upcoming = date.fromisoformat(following["due"])
        return (
            f"Nothing is due today. Next: {_lower_first(following['summary'])}, "
            f"{spoken_date(upcoming, today)}."
        )
    items = [
        _lower_first(item["summary"])
        + (
            f" (overdue since {spoken_date(date.fromisoformat(item['due']), today)})"
            if item["overdue"]
            else ""
        )
        for item in due[:MAX_SPOKEN_TASKS]
    ]
    if len(due) > MAX_SPOKEN_TASKS:
        items.append(f"{len(due) - MAX_SPOKEN_TASKS} more")
    head = "1 care task is due" if len(due) == 1 else f"{len(due)} care tasks are due"
    return f"{head}: {join_words(items)}."


def harvest_speech(
    status: Mapping[str, Any], today: date, *, as_it: bool = False
) -> str:
    """When a plant can be harvested: pre-harvest interval first, then ripeness.

    With `as_it` the plant is called "it" (the sentence follows one naming it).
    """
    name = "It" if as_it else status["name"]  # starts a sentence
    named = "it" if as_it else status["name"]  # within one
    expected = status["expected_harvest"]
    ready_on = None if expected is None else date.fromisoformat(expected)
    if status["harvest_blocked"]:
        safe_on = date.fromisoformat(status["safe_harvest_date"])
        text = (
            f"Harvest not before {spoken_date(safe_on, today)}: {named}"
            f" was treated with {join_words(status['blocking_products'])}."
        )
        if ready_on is not None and ready_on > safe_on:
            text += f" It should be ready around {spoken_date(ready_on, today)}."
        return text
    if status["phase"] == "harvest":
        return f"{name} is ready to harvest now."
    if ready_on is None:
        if status["harvestable"] is False:
            return f"{name} is not grown for a harvest."
        return f"I can't tell when {named} will be ready."
    if ready_on <= today:
        return f"{name} should be ready to harvest now."
    return f"{name} should be ready around {spoken_date(ready_on, today)}."


def plant_speech(status: Mapping[str, Any], today: date) -> str:
    """A plant's phase, watering, other due care and harvest, in a few sentences."""
    name = status["name"]
    if status["phase"] is None:
        sentences = [f"{name} has no growth phase set."]
    else:
        days = _for_days(status["days_in_phase"])
        sentences = [f"{name} has been in the {status['phase']} phase {days}."]
    if status["next_watering"] is not None:
        water_on = date.fromisoformat(status["next_watering"])
        if water_on < today:
            sentences.append(
                f"Watering is overdue since {spoken_date(water_on, today)}."
            )
        elif water_on == today:
            sentences.append("It needs watering today.")
        else:
            sentences.append(f"Next watering: {spoken_date(water_on, today)}.")
    other = [
        TASK_NOUN[CareKind(item["task"])]
        for item in status["care_due"]
        if item["task"] != CareKind.WATER
    ]
    if other:
        sentences.append(f"Also due: {join_words(other)}.")
    if "dry" in status["needs_attention"]:
        sentences.append("Its soil is dry.")
    if status["harvestable"] is not False or status["harvest_blocked"]:
        sentences.append(harvest_speech(status, today, as_it=True))
    return " ".join(sentences)


MEASURE_LABEL: Mapping[str, str] = {
    "ec": "EC",
    "ph": "pH",
    "level": "level",
    "temperature": "water temperature",
}


# Volumes as said aloud, by the unit of the user's unit system.
VOLUME_WORDS: Mapping[str, str] = {"L": "litres", "gal": "gallons"}


def _measure_value(status: Mapping[str, Any], measure: str) -> str | None:
    """The value part of a tank reading ("1.5 mS/cm", "40 litres"), None if unknown.

    Temperatures and volumes are said in the user's unit system (°F, gallons).
    """
    match measure:
        case "ec" if status["ec"] is not None:
            return f"{spoken_number(status['ec'], decimal=True)} mS/cm"
        case "ph" if status["ph"] is not None:
            return spoken_number(status["ph"], decimal=True)
        case "level" if status["level"] is not None:
            unit = status["volume_unit"]
            return f"{spoken_number(status['level'])} {VOLUME_WORDS.get(unit, unit)}"
        case "temperature" if status["water_temperature"] is not None:
            return f"{spoken_number(status['water_temperature'])} {status['temperature_unit']}"
    return None


def tank_measure_speech(
    status: Mapping[str, Any], measure: str, has_probe: bool
) -> str:
    """One reading of a tank, with its target or what it means."""
    name = status["name"]
    label = MEASURE_LABEL[measure]
    value = _measure_value(status, measure)
    if value is None:
        if not has_probe:
            return f"{name} has no {label} sensor."
        return f"{name} has no current {label} reading."
    match measure:
        case "ec" | "ph":
            target = status[f"target_{measure}"]
            text = f"The {label} of {name} is {value}"
            if target is not None:
                text += f"; the target is {spoken_number(target, decimal=True)}"
            return f"{text}."
        case "level":
            text = (
                f"{name} holds {value}, {status['level_percent']} percent of its volume"
            )
            if status["days_until_empty"] is not None:
                text += f"; that lasts about {spoken_number(status['days_until_empty'])} days"
            return f"{text}."
    problems = status["problems"]
    text = f"The water in {name} is {value}."
    if "water_too_cold" in problems:
        text += " That is too cold."
    elif "water_too_warm" in problems:
        text += " That is too warm."
    return text


def tank_speech(status: Mapping[str, Any]) -> str:
    """A tank's readings against targets, then its problems."""
    name = status["name"]
    readings: list[str] = []
    for measure in MEASURE_LABEL:
        if (value := _measure_value(status, measure)) is None:
            continue
        target = status.get(f"target_{measure}")
        readings.append(
            f"{MEASURE_LABEL[measure]} {value}"
            + (
                f" (target {spoken_number(target, decimal=True)})"
                if target is not None
                else ""
            )
        )
    text = (
        f"{name}: {', '.join(readings)}."
        if readings
        else f"{name} has no current readings."
    )
    problems = [PROBLEM_PHRASES[code] for code in status["problems"]]
    if problems:
        return f"{text} Problems: {join_words(problems)}."
    return f"{text} No problems."


def lookup_speech(error: SubjectLookupError) -> str:
    """Why nothing was done for a name, as said to the grower."""
    name, noun = error.name, error.noun
    match error.failure:
        case LookupFailure.UNKNOWN_FARM:
            return f"I don't know a farm called {error.farm}."
        case LookupFailure.NOT_IN_FARM:
            return f"{join_words(error.farms)} has no {noun} called {name}."
        case LookupFailure.IN_SEVERAL_FARMS:
            return (
                f"{name[:1].upper()}{name[1:]} is in more than one farm: "
                f"{join_words(error.farms)}. Nothing was recorded. Say which one, "
                f'for example "{name} in {error.farms[0]}".'
            )
    return f"I don't know a {noun} called {name}."


def per_farm(subjects: Iterable[Subject], parts: Iterable[str]) -> str:
    """Answers about each subject, each led by its farm's name when farms differ."""
    pairs = list(zip(subjects, parts, strict=True))
    if len({subject.farm for subject, _ in pairs}) < 2:
        return " ".join(part for _, part in pairs)
    return " ".join(f"{subject.farm.settings.name}: {part}" for subject, part in pairs)


# --- Intent handlers ----------------------------------------------------------

NAME_SLOTS: Final[dict[Any, Any]] = {
    probatio.Required(SLOT_NAME): intent.non_empty_string,
    probatio.Optional(SLOT_FARM): intent.non_empty_string,
}


class FarmIntentHandler(intent.IntentHandler):
    """Shared by the farm's intents: names resolved, English answers."""

    kinds: tuple[SubjectKind, ...] = (SubjectKind.PLANT,)
    slots: ClassVar[dict[Any, Any] | None] = NAME_SLOTS
    records = False  # it writes: a name must not span several farms

    @property
    @override
    def slot_schema(self) -> dict[Any, Any] | None:
        """The slots: a subject's name (rack, tank or plant) unless told otherwise."""
        return self.slots

    def subjects(self, intent_obj: intent.Intent) -> list[Subject]:
        """The subjects the name slot refers to, in the farm slot's farm if given.

        Raises:
            IntentHandleError: no farm has that name, no rack, tank or plant of
                that kind has the name (there), or an intent that records
                names what more than one farm has.
        """
        slots = self.async_validate_slots(intent_obj.slots)
        try:
            return named_subjects(
                intent_obj.hass,
                slots[SLOT_NAME]["value"],
                self.kinds,
                slots.get(SLOT_FARM, {}).get("value"),
                records=self.records,
            )
        except SubjectLookupError as error:
            raise intent.IntentHandleError(lookup_speech(error)) from error

    @staticmethod
    def answer(
        intent_obj: intent.Intent,
        speech: str,
        subjects: Iterable[Subject] = (),
        *,
        action: bool = False,
    ) -> intent.IntentResponse:
        """A response that says `speech` and names the subjects it is about."""
        response = intent_obj.create_response()
        response.response_type = (
            intent.IntentResponseType.ACTION_DONE
            if action
            else intent.IntentResponseType.QUERY_ANSWER
        )
        response.async_set_results(
            [
                intent.IntentResponseTarget(
                    name=subject.name,
                    type=intent.IntentResponseTargetType.CUSTOM,
                    id=subject.id,
                )
                for subject in subjects
            ]
        )
        response.async_set_speech(speech)
        return response


class CareDueIntent(FarmIntentHandler):
    """What the plants need today."""

    intent_type = INTENT_CARE_DUE
    description = "Lists the plant care tasks due today or overdue in the farms."
    slots: ClassVar[dict[Any, Any] | None] = None

    @override
    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Say what is due (per farm when there are several)."""
        farms = loaded_farms(intent_obj.hass)
        if not farms:
            raise intent.IntentHandleError("No farm is set up yet.")
        today = local_now().date()
        parts = [
            care_due_speech(due_care(farm, today), next_care(farm, today), today)
            for farm in farms
        ]
        if len(farms) > 1:
            parts = [
                f"{farm.settings.name}: {part}"
                for farm, part in zip(farms, parts, strict=True)
            ]
        return self.answer(intent_obj, " ".join(parts))


class PlantStatusIntent(FarmIntentHandler):
    """How a plant is doing."""

    intent_type = INTENT_PLANT_STATUS
    description = "Tells a plant's phase, days in phase, next watering and harvest."

    @override
    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Describe every plant the name refers to."""
        subjects = self.subjects(intent_obj)
        today = local_now().date()
        speech = per_farm(
            subjects,
            (
                plant_speech(plant_status(subject.farm, subject.id, today), today)
                for subject in subjects
            ),
        )
        return self.answer(intent_obj, speech, subjects)


class TankStatusIntent(FarmIntentHandler):
    """A tank's readings, or one of them."""

    intent_type = INTENT_TANK_STATUS
    description = (
        "Tells a nutrient tank's EC, pH, level, water temperature and problems."
    )
    kinds = (SubjectKind.TANK,)
    slots: ClassVar[dict[Any, Any] | None] = {
        **NAME_SLOTS,
        probatio.Optional(SLOT_MEASURE): probatio.In(list(MEASURES)),
    }

    @override
    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Give the reading asked for, or the whole status."""
        subjects = self.subjects(intent_obj)
        measure: str | None = intent_obj.slots.get(SLOT_MEASURE, {}).get("value")
        parts: list[str] = []
        for subject in subjects:
            status = tank_status(subject.farm, subject.id)
            if measure is None:
                parts.append(tank_speech(status))
                continue
            tank = subject.farm.config.tanks[subject.id]
            probe = {
                "ec": tank.ec_sensor,
                "ph": tank.ph_sensor,
                "level": tank.level_sensor,
                "temperature": tank.temperature_sensor,
            }[measure]
            parts.append(tank_measure_speech(status, measure, probe is not None))
        return self.answer(intent_obj, per_farm(subjects, parts), subjects)


class LogWateringIntent(FarmIntentHandler):
    """I watered a plant, or a whole rack."""

    intent_type = INTENT_LOG_WATERING
    description = "Records that a plant, or every plant on a rack, was watered now."
    kinds = (SubjectKind.PLANT, SubjectKind.RACK)
    records = True

    @override
    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Record the watering; say which plants it covered."""
        subjects = self.subjects(intent_obj)
        watered = await async_log_watering(subjects, local_now())
        if not watered:
            names = join_words(subject.name for subject in subjects)
            raise intent.IntentHandleError(f"There are no plants on {names}.")
        return self.answer(
            intent_obj,
            f"Logged watering of {join_words(watered)}.",
            subjects,
            action=True,
        )


class CareDoneIntent(FarmIntentHandler):
    """A care task done: watering, feeding, repotting or a pest check."""

    intent_type = INTENT_CARE_DONE
    description = (
        "Marks a plant's care task (water, fertilize, repot, pest_check) done today."
    )

    slots: ClassVar[dict[Any, Any] | None] = {
        **NAME_SLOTS,
        probatio.Required(SLOT_TASK): probatio.In([str(kind) for kind in CareKind]),
    }
    records = True

    @override
    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Confirm the task and say when it is next due."""
        subjects = self.subjects(intent_obj)
        kind = CareKind(intent_obj.slots[SLOT_TASK]["value"])
        now = local_now()
        done = await async_complete_care(subjects, kind, now)
        noun = TASK_NOUN[kind]
        speech = f"Marked the {noun} of {join_words(done)} done."
        first = subjects[0]
        next_due = next(
            (
                task.due
                for task in first.farm.views.plant(first.id).care
                if task.kind is kind
            ),
            None,
        )
        if next_due is not None:
            speech += f" The next {noun} is due {spoken_date(next_due, now.date())}."
        return self.answer(intent_obj, speech, subjects, action=True)


class HarvestWhenIntent(FarmIntentHandler):
    """When a plant can be harvested."""

    intent_type = INTENT_HARVEST_WHEN
    description = (
        "Tells when a plant can be harvested: ripeness and pre-harvest intervals."
    )

    @override
    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Answer for every plant the name refers to."""
        subjects = self.subjects(intent_obj)
        today = local_now().date()
        speech = per_farm(
            subjects,
            (
                harvest_speech(plant_status(subject.farm, subject.id, today), today)
                for subject in subjects
            ),
        )
        return self.answer(intent_obj, speech, subjects)


HANDLERS: tuple[Callable[[], FarmIntentHandler], ...] = (
    CareDueIntent,
    PlantStatusIntent,
    TankStatusIntent,
    LogWateringIntent,
    CareDoneIntent,
    HarvestWhenIntent,
)


# --- Sentences in Assist ------------------------------------------------------


class FarmVoice:
    """Keeps the gate sentences and the grammar in step with the farms' names."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Start with no names (nothing registered until a farm loads)."""
        self.hass = hass
        self.gate: tuple[str, ...] = ()
        self._names = SpokenNames()
        # The grammar and the names it was built for (built on first use).
        self._built: tuple[SpokenNames, Intents] | None = None
        self._unregister: CALLBACK_TYPE | None = None
        self._pending = False
        self._refreshes = 0  # refreshes begun: only the latest one's names count

    @callback
    def async_schedule_refresh(self) -> None:
        """Refresh once the current change has settled (bursts refresh once)."""
        if self._pending:
            return
        self._pending = True
        # Not started at once: the farm re-reads its subentries on the same signal.
        self.hass.async_create_task(
            self.async_refresh(), "vertical_farm voice names", eager_start=False
        )

    async def async_refresh(self) -> None:
        """Rebuild the names, and re-register the gate if it changed.

        The names and the gate are worked out in the executor from each
        farm's configuration and library (a thousand plants take
        milliseconds); a refresh begun later wins over one that ends later.
        """
        self._pending = False
        self._refreshes += 1
        mine = self._refreshes
        farms = [(farm.config, farm.library) for farm in loaded_farms(self.hass)]
        names = SpokenNames()
        gate: tuple[str, ...] = ()
        if farms:
            names, gate = await self.hass.async_add_executor_job(_names_and_gate, farms)
        if mine != self._refreshes or gate == self.gate:
            return
        self._names = names
        self.gate = gate
        if self._unregister is not None:
            self._unregister()
            self._unregister = None
        if gate:
            self._unregister = get_agent_manager(self.hass).register_trigger(
                list(gate), self.async_answer
            )

    async def async_grammar(self) -> Intents:
        """The grammar for the current names (building it takes a while: executor)."""
        names = self._names
        if self._built is None or self._built[0] is not names:
            # Kept with the names it was built for: one built for names that
            # changed meanwhile is never taken for the new ones.
            self._built = (
                names,
                await self.hass.async_add_executor_job(
                    grammar, names.subjects, names.farms
                ),
            )
        return self._built[1]

    async def async_answer(
        self, user_input: ConversationInput, _gate_result: RecognizeResult
    ) -> str:
        """Recognise a sentence that passed the gate and let its intent answer."""
        recognized = await self.hass.async_add_executor_job(
            recognize_best, user_input.text, await self.async_grammar()
        )
        if recognized is None:
            return SORRY
        slots = {
            name: {"value": entity.value, "text": entity.text or entity.value}
            for name, entity in recognized.entities.items()
        }
        try:
            response = await intent.async_handle(
                self.hass,
                "conversation",
                recognized.intent.name,
                slots,
                user_input.text,
                user_input.context,
                user_input.language,
                assistant="conversation",
                device_id=user_input.device_id,
                satellite_id=user_input.satellite_id,
            )
        except intent.IntentError as err:
            return str(err) or SORRY
        speech: str = response.speech.get("plain", {}).get("speech", "")
        return speech or SORRY


@dataclass(frozen=True, slots=True)
class SpokenNames:
    """What the sentences name: the subjects by kind, and the farms."""

    subjects: Mapping[SubjectKind, Iterable[str]] = field(default_factory=dict)
    farms: frozenset[str] = frozenset()


def _names_and_gate(
    farms: list[tuple[FarmConfig, Library]],
) -> tuple[SpokenNames, tuple[str, ...]]:
    """The farms' spoken names and the gate sentences for them (executor)."""
    names = SpokenNames(
        subjects=spoken_names(farms),
        farms=frozenset(spoken_farm_names(config for config, _ in farms)),
    )
    return names, tuple(gate_sentences(names.subjects, farms=names.farms))


@callback
def async_setup_intents(hass: HomeAssistant) -> None:
    """Register the intent handlers and keep Assist's sentences in step (once)."""
    if VOICE in hass.data:
        return
    voice = FarmVoice(hass)
    hass.data[VOICE] = voice
    for handler in HANDLERS:
        intent.async_register(hass, handler())

    @callback
    def _entry_changed(_change: ConfigEntryChange, entry: ConfigEntry) -> None:
        if entry.domain == DOMAIN:
            voice.async_schedule_refresh()

    async_dispatcher_connect(hass, SIGNAL_CONFIG_ENTRY_CHANGED, _entry_changed)
    voice.async_schedule_refresh()
