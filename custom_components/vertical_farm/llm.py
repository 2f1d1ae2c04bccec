"""Assistant (LLM) tools: look at the farm and log what the grower did.

The same operations as the voice intents, offered to LLM conversation agents
two ways:

- the "Vertical Farm" LLM API (`vertical_farm`), registered while at least one
  farm is loaded, for an agent that should only talk about the farm;
- this module is also the integration's `llm` platform: `async_get_tools`
  adds the tools to Home Assistant's Assist API while a farm's entities are
  exposed to the assistant asking.

Every tool reads the live farm or appends a record (watering, confirmed care,
feeding); none switches a light, a pump or anything else on or off. Names are
looked up as voice does them, optionally in one farm: a tool that records
refuses a name that several farms have until the model says which farm.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Final, cast, override

from homeassistant.components.homeassistant.exposed_entities import (
    async_should_expose,
)
from homeassistant.components.llm import LLMTools
from homeassistant.config_entries import (
    SIGNAL_CONFIG_ENTRY_CHANGED,
    ConfigEntry,
    ConfigEntryChange,
)
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er, llm
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.util.hass_dict import HassKey
import probatio

from .assistant import (
    LookupFailure,
    Subject,
    SubjectKind,
    SubjectLookupError,
    all_subjects,
    async_complete_care,
    async_log_feeding,
    async_log_watering,
    farm_overview,
    find_farms,
    loaded_farms,
    local_now,
    named_subjects,
    plant_status,
    plants_of,
    tank_status,
)
from .const import DOMAIN, MAX_EC, MAX_VOLUME_L
from .engine.care import CareKind
from .grower_records import FEEDING_KINDS
from .store import FeedingDetails
from .validation import MAX_TEXT_LENGTH, text_error, trimmed_text

API_ID: Final = DOMAIN
API_NAME: Final = "Vertical Farm"
LLM_API: HassKey[FarmLLM] = HassKey(f"{DOMAIN}_llm")

PROMPT: Final = (
    "The vertical_farm tools cover the user's indoor farm: racks with lights "
    "and pumps, nutrient tanks with EC and pH probes, and plants. Call "
    "vertical_farm__get_overview when unsure of a name or of what is due. Use "
    "the logging tools only for something the user says they did; they "
    "record it and switch nothing on or off. EC is in mS/cm."
)

_READ: Final = llm.ToolAnnotations(
    read_only=True, destructive=False, idempotent=True, open_world=False
)
_RECORD: Final = llm.ToolAnnotations(destructive=False, open_world=False)


def _amount(maximum: float, *, above_zero: bool = False) -> probatio.All[float]:
    """A number from 0 to `maximum`; the finite bound also refuses NaN and infinity.

    `above_zero`: 0 itself is refused too (a volume given is more than none).
    """
    return probatio.All(
        probatio.Coerce(float),
        probatio.Range(min=0, max=maximum, min_included=not above_zero),
    )


def _one_line(text: str) -> str:
    """Text as the actions take it: trimmed, short, no control or direction characters."""
    text = trimmed_text(text)
    if (error := text_error(text)) is not None:
        raise probatio.Invalid(f"note: {error}")
    return text


_NAME_HELP = "Name of a plant (or its species, e.g. basil), as in the overview"
_FARM: Final = probatio.Optional(
    "farm",
    description=(
        "Name of the farm, as in the overview. Leave out to look in every farm; "
        "needed to record something when several farms have that name."
    ),
)


def _error(message: str, **details: Any) -> llm.ToolResult:
    return llm.ToolResult(data={"error": message, **details}, error=True)


def _unknown_farm(hass: HomeAssistant, name: str) -> llm.ToolResult:
    """An error listing the farms there are, so the model can retry."""
    known = [farm.settings.name for farm in loaded_farms(hass)]
    return _error(f"No farm is called {name!r}", known=known)


def _not_found(hass: HomeAssistant, error: SubjectLookupError) -> llm.ToolResult:
    """An error the model can act on: the names or farms it may use instead."""
    name, farms = error.name, error.farms
    if error.failure is LookupFailure.UNKNOWN_FARM:
        return _unknown_farm(hass, error.farm or "")
    if error.failure is LookupFailure.IN_SEVERAL_FARMS:
        return _error(
            f"{name!r} is in more than one farm: {', '.join(farms)}. Nothing was "
            "recorded. Ask which farm, then call again with `farm`.",
            farms=farms,
        )
    searched = [farm for farm in loaded_farms(hass) if farm.settings.name in farms]
    known = sorted(
        subject.name
        for subject in all_subjects(hass, searched or None)
        if subject.kind in error.kinds
    )
    if error.failure is LookupFailure.NOT_IN_FARM:
        message = f"{', '.join(farms)} has no {error.noun} called {name!r}"
    else:
        message = f"No {error.noun} is called {name!r}"
    return _error(message, known=known)


def _today() -> date:
    return local_now().date()


class FarmTool(llm.Tool):
    """A Vertical Farm tool (tagged with the integration providing it)."""

    integration = DOMAIN


class GetOverviewTool(FarmTool):
    """Every farm in brief."""

    name = f"{DOMAIN}__get_overview"
    title = "Get farm overview"
    description = (
        "Lists the farm's racks (light window, schedules, plants), tanks "
        "(EC, pH, problems), plants (species, phase, expected harvest) and the "
        "care tasks due today or overdue."
    )
    parameters = probatio.Schema(
        {
            probatio.Optional(
                "farm", description="Only this farm, by name, as the user says it"
            ): str
        }
    )
    annotations = _READ

    @override
    async def async_call(
        self,
        hass: HomeAssistant,
        tool_input: llm.ToolInput,
        llm_context: llm.LLMContext,
    ) -> llm.ToolResult:
        """Describe the farms."""
        args = self.parameters(tool_input.tool_args)
        farms = loaded_farms(hass)
        if (wanted := args.get("farm")) is not None and not (
            farms := find_farms(hass, wanted)
        ):
            return _unknown_farm(hass, wanted)
        today = _today()
        return llm.ToolResult(
            data={"farms": [farm_overview(farm, today) for farm in farms]}
        )


def _resolve(
    hass: HomeAssistant,
    names: list[str],
    kinds: tuple[SubjectKind, ...],
    farm: str | None,
    *,
    records: bool = False,
) -> list[Subject] | llm.ToolResult:
    """Every subject the names refer to, in the farm given if any.

    A tool that records gets an error for a name several farms have, so that
    nothing lands in a farm the user did not mean; any error comes for the
    first name that fails, before anything is recorded.
    """
    subjects: list[Subject] = []
    for name in names:
        try:
            found = named_subjects(hass, name, kinds, farm, records=records)
        except SubjectLookupError as error:
            return _not_found(hass, error)
        subjects.extend(found)
    return subjects


class GetPlantStatusTool(FarmTool):
    """A plant's status."""

    name = f"{DOMAIN}__get_plant_status"
    title = "Get plant status"
    description = (
        "Tells a plant's phase and days in it, next watering, care due, expected "
        "harvest and whether a pre-harvest interval blocks harvesting (and until when)."
    )
    parameters = probatio.Schema(
        {probatio.Required("name", description=_NAME_HELP): str, _FARM: str}
    )
    annotations = _READ

    @override
    async def async_call(
        self,
        hass: HomeAssistant,
        tool_input: llm.ToolInput,
        llm_context: llm.LLMContext,
    ) -> llm.ToolResult:
        """Status of every plant the name refers to, each with its farm."""
        args = self.parameters(tool_input.tool_args)
        found = _resolve(hass, [args["name"]], (SubjectKind.PLANT,), args.get("farm"))
        if isinstance(found, llm.ToolResult):
            return found
        today = _today()
        return llm.ToolResult(
            data={
                "plants": [
                    plant_status(subject.farm, subject.id, today) for subject in found
                ]
            }
        )


class GetTankStatusTool(FarmTool):
    """A tank's status."""

    name = f"{DOMAIN}__get_tank_status"
    title = "Get tank status"
    description = (
        "Tells a nutrient tank's EC and pH against their targets, water "
        "temperature, level, days until empty, problems and next maintenance."
    )
    parameters = probatio.Schema(
        {probatio.Required("name", description="Name of the tank"): str, _FARM: str}
    )
    annotations = _READ

    @override
    async def async_call(
        self,
        hass: HomeAssistant,
        tool_input: llm.ToolInput,
        llm_context: llm.LLMContext,
    ) -> llm.ToolResult:
        """Status of every tank the name refers to, each with its farm."""
        args = self.parameters(tool_input.tool_args)
        found = _resolve(hass, [args["name"]], (SubjectKind.TANK,), args.get("farm"))
        if isinstance(found, llm.ToolResult):
            return found
        return llm.ToolResult(
            data={"tanks": [tank_status(subject.farm, subject.id) for subject in found]}
        )


class LogWateringTool(FarmTool):
    """Record a watering the user did."""

    name = f"{DOMAIN}__log_watering"
    title = "Log watering"
    description = (
        "Records that the user watered plants now (name a rack for every plant "
        "on it). Also confirms their watering task. Does not run any pump. "
        "When the plants are in several farms, `plants` gives each one's farm."
    )
    parameters = probatio.Schema(
        {
            probatio.Required("names", description="Plant or rack names"): [str],
            _FARM: str,
            probatio.Optional("volume_l", description="Litres given, if said"): _amount(
                MAX_VOLUME_L, above_zero=True
            ),
        }
    )
    annotations = _RECORD

    @override
    async def async_call(
        self,
        hass: HomeAssistant,
        tool_input: llm.ToolInput,
        llm_context: llm.LLMContext,
    ) -> llm.ToolResult:
        """Log it; return the plants covered."""
        args = self.parameters(tool_input.tool_args)
        found = _resolve(
            hass,
            args["names"],
            (SubjectKind.PLANT, SubjectKind.RACK),
            args.get("farm"),
            records=True,
        )
        if isinstance(found, llm.ToolResult):
            return found
        watered = await async_log_watering(found, local_now(), args.get("volume_l"))
        if not watered:
            return _error("There are no plants there to water")
        data: dict[str, Any] = {"watered": watered}
        grouped = plants_of(found)
        if len(grouped) > 1:  # the same names may stand in each farm
            data["plants"] = [
                {"name": farm.config.plants[plant_id].name, "farm": farm.settings.name}
                for farm, plant_ids in grouped.items()
                for plant_id in plant_ids
            ]
        return llm.ToolResult(data=data)


class CompleteCareTool(FarmTool):
    """Confirm a care task the user did."""

    name = f"{DOMAIN}__complete_care_task"
    title = "Complete care task"
    description = (
        "Marks a plant's care task done today: water, fertilize, repot or "
        "pest_check. The next one is planned from today."
    )
    parameters = probatio.Schema(
        {
            probatio.Required("name", description=_NAME_HELP): str,
            _FARM: str,
            probatio.Required("task"): probatio.In([str(kind) for kind in CareKind]),
        }
    )
    annotations = _RECORD

    @override
    async def async_call(
        self,
        hass: HomeAssistant,
        tool_input: llm.ToolInput,
        llm_context: llm.LLMContext,
    ) -> llm.ToolResult:
        """Confirm it; return the plants and when each task is next due."""
        args = self.parameters(tool_input.tool_args)
        found = _resolve(
            hass, [args["name"]], (SubjectKind.PLANT,), args.get("farm"), records=True
        )
        if isinstance(found, llm.ToolResult):
            return found
        kind = CareKind(args["task"])
        done = await async_complete_care(found, kind, local_now())
        next_due = {
            subject.name: next(
                (
                    task.due.isoformat()
                    for task in subject.farm.views.plant(subject.id).care
                    if task.kind is kind
                ),
                None,
            )
            for subject in found
        }
        data: dict[str, Any] = {"done": done, "task": str(kind), "next_due": next_due}
        return llm.ToolResult(data=data)


class LogFeedingTool(FarmTool):
    """Record a feeding of a tank the user did."""

    name = f"{DOMAIN}__log_feeding"
    title = "Log tank feeding"
    description = (
        "Records a feeding of a nutrient tank: a full_change (fresh solution), a "
        "top_up or an adjustment, with what the user measured and a note. "
        "Confirms the fertilize task of the plants it feeds. Doses nothing."
    )
    parameters = probatio.Schema(
        {
            probatio.Required("tank", description="Name of the tank"): str,
            _FARM: str,
            probatio.Required("kind"): probatio.In(list(FEEDING_KINDS)),
            probatio.Optional("volume_l", description="Litres added"): _amount(
                MAX_VOLUME_L, above_zero=True
            ),
            probatio.Optional("ec", description="EC measured after, mS/cm"): _amount(
                MAX_EC
            ),
            probatio.Optional("ph", description="pH measured after"): _amount(14),
            probatio.Optional(
                "note", description="What the user said they did, in one short line"
            ): probatio.All(str, probatio.Length(max=MAX_TEXT_LENGTH), _one_line),
        }
    )
    annotations = _RECORD

    @override
    async def async_call(
        self,
        hass: HomeAssistant,
        tool_input: llm.ToolInput,
        llm_context: llm.LLMContext,
    ) -> llm.ToolResult:
        """Log it against the one tank named."""
        args = self.parameters(tool_input.tool_args)
        found = _resolve(
            hass, [args["tank"]], (SubjectKind.TANK,), args.get("farm"), records=True
        )
        if isinstance(found, llm.ToolResult):
            return found
        if len(found) > 1:
            return _error(
                f"{len(found)} tanks are called {args['tank']!r}; name the farm's tank "
                "more precisely",
                farms=[subject.farm.settings.name for subject in found],
            )
        (tank,) = found
        capacity_l = tank.farm.config.tanks[tank.id].volume_l
        if args.get("volume_l", 0) > capacity_l:
            return _error(
                f"{args['volume_l']:g} L is more than {tank.name} holds",
                capacity_l=capacity_l,
            )
        data = {
            key: args[key] for key in ("volume_l", "ec", "ph", "note") if key in args
        }
        at: datetime = local_now()
        # the tool's schema checked each of these, as FeedingDetails has them
        await async_log_feeding(tank, args["kind"], at, cast(FeedingDetails, data))
        return llm.ToolResult(
            data={"tank": tank.name, "kind": args["kind"], "at": at.isoformat(), **data}
        )


TOOLS: tuple[Callable[[], FarmTool], ...] = (
    GetOverviewTool,
    GetPlantStatusTool,
    GetTankStatusTool,
    LogWateringTool,
    CompleteCareTool,
    LogFeedingTool,
)


def farm_tools() -> list[llm.Tool]:
    """One of each tool."""
    return [tool() for tool in TOOLS]


class FarmAPI(llm.API):
    """The Vertical Farm LLM API: the farm tools and nothing else."""

    @override
    async def async_get_api_instance(
        self, llm_context: llm.LLMContext
    ) -> llm.APIInstance:
        """The tools, and a prompt that says what they are for and today's date."""
        return llm.APIInstance(
            api=self,
            api_prompt=f"{PROMPT} Today is {_today().isoformat()}.",
            llm_context=llm_context,
            tools=farm_tools(),
            custom_serializer=llm.selector_serializer,
        )


def farm_exposed(hass: HomeAssistant, assistant: str) -> bool:
    """Whether any entity of a loaded farm is exposed to the assistant."""
    registry = er.async_get(hass)
    for farm in loaded_farms(hass):
        entry_id = farm.entry.entry_id
        # The care list (a to-do list, exposed by default) answers at once.
        care_list = registry.async_get_entity_id("todo", DOMAIN, f"{entry_id}_care")
        if care_list is not None and async_should_expose(hass, assistant, care_list):
            return True
        if any(
            async_should_expose(hass, assistant, entity.entity_id)
            for entity in er.async_entries_for_config_entry(registry, entry_id)
        ):
            return True
    return False


@callback
def async_get_tools(
    hass: HomeAssistant, llm_context: llm.LLMContext, api_id: str
) -> LLMTools | None:
    """The farm tools for the Assist API, while the farm is exposed to the assistant."""
    if api_id != llm.LLM_API_ASSIST or not farm_exposed(hass, llm_context.assistant):
        return None
    return LLMTools(tools=farm_tools(), prompt=PROMPT)


class FarmLLM:
    """Registers the Vertical Farm API while at least one farm is loaded."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Nothing registered yet."""
        self.hass = hass
        self._unregister: CALLBACK_TYPE | None = None

    @property
    def registered(self) -> bool:
        """Whether the API is offered now."""
        return self._unregister is not None

    @callback
    def async_update(self) -> None:
        """Register the API when a farm is loaded, remove it when none is."""
        if loaded_farms(self.hass):
            if self._unregister is None:
                self._unregister = llm.async_register_api(
                    self.hass, FarmAPI(hass=self.hass, id=API_ID, name=API_NAME)
                )
        elif self._unregister is not None:
            self._unregister()
            self._unregister = None


@callback
def async_setup_llm(hass: HomeAssistant) -> None:
    """Offer the Vertical Farm LLM API while farms are loaded (set up once)."""
    if LLM_API in hass.data:
        return
    manager = FarmLLM(hass)
    hass.data[LLM_API] = manager

    @callback
    def _entry_changed(_change: ConfigEntryChange, entry: ConfigEntry) -> None:
        if entry.domain == DOMAIN:
            manager.async_update()

    async_dispatcher_connect(hass, SIGNAL_CONFIG_ENTRY_CHANGED, _entry_changed)
    manager.async_update()
