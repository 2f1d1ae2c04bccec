// The Vertical Farm dashboard card: racks with their shelves and plants, tanks
// with EC, pH and level against their targets and a small history plot, and
// the care list. Data comes from the vertical_farm.get_overview action.
import { LitElement, html, svg, nothing, type PropertyValues, type TemplateResult } from "lit";
import { property, state } from "lit/decorators.js";
import { cardStyles } from "./styles";
import "./editor";
import type {
  CardConfig,
  CareOverview,
  FarmOverview,
  HistoryPoint,
  HomeAssistant,
  PlantOverview,
  RackOverview,
  TankOverview,
} from "./types";

const DOMAIN = "vertical_farm";
const REFRESH_MS = 30_000; // the farm's views change at most this often without a state change
const HISTORY_REFRESH_MS = 300_000;
const DEFAULT_HISTORY_HOURS = 24;

const PHASE_LABELS: Record<string, string> = {
  germination: "Germination",
  seedling: "Seedling",
  vegetative: "Vegetative",
  flowering: "Flowering",
  fruiting: "Fruiting",
  ripening: "Ripening",
  harvest: "Harvest",
  dormancy: "Dormancy",
};

const CARE_LABELS: Record<string, string> = {
  water: "Water",
  fertilize: "Feed",
  repot: "Repot",
  pest_check: "Pest check",
};

const label = (labels: Record<string, string>, key: string | null): string =>
  key === null ? "–" : (labels[key] ?? key.replace(/_/g, " "));

const shortDate = (iso: string | null): string => {
  if (!iso) return "–";
  const day = new Date(iso.length === 10 ? `${iso}T12:00:00` : iso);
  const today = new Date();
  const diff = Math.round(
    (Date.UTC(day.getFullYear(), day.getMonth(), day.getDate()) -
      Date.UTC(today.getFullYear(), today.getMonth(), today.getDate())) /
      86_400_000,
  );
  if (diff === 0) return "today";
  if (diff === 1) return "tomorrow";
  if (diff === -1) return "yesterday";
  if (diff < 0) return `${-diff} d ago`;
  if (diff < 7) return `in ${diff} d`;
  return day.toLocaleDateString(undefined, { month: "short", day: "numeric" });
};

// On its shelf a plant needs no "(rack, shelf n)" after its name.
const shelfName = (plant: PlantOverview): string =>
  plant.rack === null
    ? plant.name
    : plant.name.replace(` (${plant.rack}, shelf ${plant.shelf})`, "");

const fire = (node: HTMLElement, type: string, detail: unknown): void => {
  node.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
};

export class VerticalFarmCard extends LitElement {
  @property({ attribute: false }) public hass?: HomeAssistant;
  @state() private _config?: CardConfig;
  @state() private _farm?: FarmOverview;
  @state() private _error?: string;
  @state() private _history: Record<string, HistoryPoint[]> = {};
  @state() private _busy = new Set<string>();

  private _fetchedAt = 0;
  private _historyAt = 0;
  private _fetching = false;
  private _watched = new Map<string, string>();
  private _timer?: number;

  static styles = cardStyles;

  public static getConfigElement(): HTMLElement {
    return document.createElement("vertical-farm-card-editor");
  }

  public static getStubConfig(): Partial<CardConfig> {
    return { show_racks: true, show_tanks: true, show_care: true };
  }

  public setConfig(config: CardConfig): void {
    if (!config || typeof config !== "object") throw new Error("Invalid configuration");
    if (config.farm !== undefined && typeof config.farm !== "string")
      throw new Error("farm must be the farm's config entry id");
    if (
      config.history_hours !== undefined &&
      (typeof config.history_hours !== "number" ||
        config.history_hours < 1 ||
        config.history_hours > 168)
    )
      throw new Error("history_hours must be a number from 1 to 168");
    const farmChanged = this._config?.farm !== config.farm;
    this._config = config;
    if (farmChanged) {
      this._farm = undefined;
      this._fetchedAt = 0;
      this._historyAt = 0;
    }
  }

  public getCardSize(): number {
    const farm = this._farm;
    if (!farm) return 3;
    return 2 + farm.racks.length * 3 + farm.tanks.length * 2 + Math.min(farm.care.length, 6);
  }

  public getGridOptions(): Record<string, number> {
    return { columns: 12, min_columns: 4, min_rows: 3 };
  }

  connectedCallback(): void {
    super.connectedCallback();
    this._timer = window.setInterval(() => void this._refresh(), REFRESH_MS);
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this._timer !== undefined) window.clearInterval(this._timer);
    this._timer = undefined;
  }

  protected willUpdate(changed: PropertyValues): void {
    if (!changed.has("hass") || !this.hass) return;
    // Fetch again when a state the card shows has changed (pushed by Home Assistant).
    let moved = this._fetchedAt === 0;
    for (const [entityId, seen] of this._watched) {
      if (this.hass.states[entityId]?.last_updated !== seen) moved = true;
    }
    if (moved) void this._refresh();
  }

  private _watch(): void {
    const hass = this.hass;
    const farm = this._farm;
    if (!hass || !farm) return;
    const ids = Object.keys(hass.states).filter(
      (id) =>
        id === farm.care_list ||
        farm.tanks.some((tank) => Object.values(tank.sensors ?? {}).includes(id)),
    );
    this._watched = new Map(ids.map((id) => [id, hass.states[id].last_updated]));
  }

  private async _refresh(force = false): Promise<void> {
    const hass = this.hass;
    if (!hass || !this._config || this._fetching) return;
    if (!force && Date.now() - this._fetchedAt < 2_000) return;
    this._fetching = true;
    try {
      const result = await hass.callWS<{ response: { farms: FarmOverview[] } }>({
        type: "call_service",
        domain: DOMAIN,
        service: "get_overview",
        service_data: this._config.farm ? { farm: this._config.farm } : {},
        return_response: true,
      });
      const farms = result.response.farms;
      this._farm = farms.find((farm) => farm.id === this._config?.farm) ?? farms[0];
      this._error = this._farm ? undefined : "No farm is set up yet.";
    } catch (err) {
      this._error = (err as { message?: string }).message ?? String(err);
    } finally {
      this._fetchedAt = Date.now();
      this._fetching = false;
    }
    this._watch();
    if (Date.now() - this._historyAt > HISTORY_REFRESH_MS) void this._loadHistory();
  }

  private async _loadHistory(): Promise<void> {
    const hass = this.hass;
    const farm = this._farm;
    if (!hass || !farm || this._config?.show_tanks === false) return;
    const ids = farm.tanks
      .flatMap((tank) => [tank.sensors?.ec, tank.sensors?.ph, tank.sensors?.level])
      .filter((id): id is string => typeof id === "string" && id in hass.states);
    this._historyAt = Date.now();
    if (ids.length === 0) return;
    const hours = this._config?.history_hours ?? DEFAULT_HISTORY_HOURS;
    try {
      this._history = await hass.callWS<Record<string, HistoryPoint[]>>({
        type: "history/history_during_period",
        start_time: new Date(Date.now() - hours * 3_600_000).toISOString(),
        entity_ids: ids,
        minimal_response: true,
        no_attributes: true,
        significant_changes_only: false,
      });
    } catch {
      // Without the history integration the card shows the current values only.
      this._history = {};
    }
  }

  private async _act(key: string, action: () => Promise<unknown>, done: string): Promise<void> {
    this._busy = new Set([...this._busy, key]);
    try {
      await action();
      fire(this, "hass-notification", { message: done });
    } catch (err) {
      fire(this, "hass-notification", {
        message: (err as { message?: string }).message ?? String(err),
      });
    } finally {
      const busy = new Set(this._busy);
      busy.delete(key);
      this._busy = busy;
      await this._refresh(true);
    }
  }

  private _water(plant: PlantOverview): void {
    if (!this.hass || !plant.device_id) return;
    const hass = this.hass;
    void this._act(
      `water-${plant.device_id}`,
      () => hass.callService(DOMAIN, "log_watering", { plants: [plant.device_id] }),
      `Watered ${plant.name}`,
    );
  }

  private _tick(item: CareOverview): void {
    const hass = this.hass;
    const list = this._farm?.care_list;
    if (!hass || !list) return;
    void this._act(
      `care-${item.task_id}`,
      () =>
        hass.callService("todo", "update_item", {
          entity_id: list,
          item: item.task_id,
          status: "completed",
        }),
      `${label(CARE_LABELS, item.kind)}: ${item.plant_name} done`,
    );
  }

  private _openDevice(deviceId: string | null): void {
    if (!deviceId) return;
    history.pushState(null, "", `/config/devices/device/${deviceId}`);
    window.dispatchEvent(new CustomEvent("location-changed", { detail: { replace: false } }));
  }

  private _moreInfo(entityId: string | null | undefined): void {
    if (entityId) fire(this, "hass-more-info", { entityId });
  }

  protected render(): TemplateResult | typeof nothing {
    if (!this._config) return nothing;
    const farm = this._farm;
    const title = this._config.title ?? farm?.name ?? "Vertical Farm";
    return html`
      <ha-card>
        <div class="header">
          <div class="title">${title}</div>
          ${farm
            ? html`<div class="badges">
                <span class="badge ${farm.tasks_overdue ? "alarm" : ""}"
                  >${farm.tasks_due} due${farm.tasks_overdue
                    ? html` · ${farm.tasks_overdue} overdue`
                    : nothing}</span
                >
              </div>`
            : nothing}
        </div>
        ${this._error ? html`<div class="message">${this._error}</div>` : nothing}
        ${!farm && !this._error ? html`<div class="message">Loading…</div>` : nothing}
        ${farm ? this._renderFarm(farm) : nothing}
      </ha-card>
    `;
  }

  private _renderFarm(farm: FarmOverview): TemplateResult {
    const config = this._config ?? { type: "" };
    const pots = farm.plants.filter(
      (plant) => plant.rack === null || !farm.racks.some((rack) => rack.name === plant.rack),
    );
    return html`
      ${config.show_racks !== false
        ? html`<section class="racks">
            ${farm.racks.map((rack) => this._renderRack(rack, farm))}
            ${pots.length
              ? html`<div class="rack">
                  <div class="rack-head"><span class="name">Pots</span></div>
                  <div class="plants">${pots.map((plant) => this._renderPlant(plant, farm))}</div>
                </div>`
              : nothing}
          </section>`
        : nothing}
      ${config.show_tanks !== false && farm.tanks.length
        ? html`<section class="tanks">${farm.tanks.map((tank) => this._renderTank(tank))}</section>`
        : nothing}
      ${config.show_care !== false ? this._renderCare(farm) : nothing}
    `;
  }

  private _renderRack(rack: RackOverview, farm: FarmOverview): TemplateResult {
    const shelves = Array.from({ length: rack.shelves }, (_, index) => rack.shelves - index);
    const plants = farm.plants.filter((plant) => plant.rack === rack.name);
    const problem = rack.conflict || rack.climate_problems.length > 0;
    return html`
      <div class="rack" data-rack=${rack.name}>
        <div class="rack-head">
          <button class="name link" @click=${() => this._openDevice(rack.device_id)}>
            ${rack.name}
          </button>
          <span class="meta">
            <ha-icon icon=${rack.light_schedule ? "mdi:lightbulb-on-outline" : "mdi:lightbulb-off-outline"}></ha-icon>
            ${rack.lights_on.slice(0, 5)}–${rack.lights_off.slice(0, 5)}
            ${rack.dli !== null ? html`· DLI ${rack.dli}` : nothing}
            ${problem ? html`<span class="warn">· check</span>` : nothing}
          </span>
        </div>
        ${shelves.map(
          (shelf) => html`
            <div class="shelf">
              <span class="shelf-no">${shelf}</span>
              <div class="plants">
                ${plants
                  .filter((plant) => plant.shelf === shelf)
                  .map((plant) => this._renderPlant(plant, farm))}
              </div>
            </div>
          `,
        )}
      </div>
    `;
  }

  private _renderPlant(plant: PlantOverview, farm: FarmOverview): TemplateResult {
    const next = farm.care
      .filter((item) => item.plant === plant.device_id)
      .sort((a, b) => a.due.localeCompare(b.due))[0];
    const busy = this._busy.has(`water-${plant.device_id}`);
    const attention = plant.needs_attention.length > 0 || plant.harvest_blocked;
    return html`
      <div class="plant ${attention ? "attention" : ""}" data-plant=${plant.name}>
        <button class="plant-name link" @click=${() => this._openDevice(plant.device_id)}>
          ${shelfName(plant)}
        </button>
        <div class="plant-meta">
          <span class="phase phase-${plant.phase ?? "none"}">${label(PHASE_LABELS, plant.phase)}</span>
          <span>${plant.days_in_phase ?? 0} d</span>
          ${plant.quantity > 1 ? html`<span>× ${plant.quantity}</span>` : nothing}
        </div>
        <div class="plant-next">
          ${next
            ? html`${label(CARE_LABELS, next.kind)} ${shortDate(next.due)}`
            : plant.next_watering
              ? html`Water ${shortDate(plant.next_watering)}`
              : html`Nothing due`}
        </div>
        <button
          class="water"
          title="Mark ${plant.name} watered"
          aria-label="Mark ${plant.name} watered"
          ?disabled=${busy || !plant.device_id}
          @click=${() => this._water(plant)}
        >
          <ha-icon icon="mdi:watering-can-outline"></ha-icon>
        </button>
      </div>
    `;
  }

  private _renderTank(tank: TankOverview): TemplateResult {
    const sensors = tank.sensors ?? {};
    const level = tank.level_percent ?? null;
    return html`
      <div class="tank" data-tank=${tank.name}>
        <div class="rack-head">
          <button class="name link" @click=${() => this._openDevice(tank.device_id)}>
            ${tank.name}
          </button>
          <span class="meta">
            ${tank.volume_l} L${tank.days_until_empty !== null
              ? html` · empty in ${tank.days_until_empty} d`
              : nothing}
          </span>
        </div>
        ${this._renderMeasure("EC", tank.ec, tank.target_ec, "mS/cm", 0.2, sensors.ec, tank.problems.includes("ec_problem"))}
        ${this._renderMeasure("pH", tank.ph, tank.target_ph, "", 0.5, sensors.ph, tank.problems.includes("ph_problem"))}
        <div class="measure">
          <button class="measure-label link" @click=${() => this._moreInfo(sensors.level)}>Level</button>
          <div class="bar">
            <div
              class="fill ${tank.problems.includes("level_low") ? "alarm" : ""}"
              style="width: ${Math.max(0, Math.min(100, level ?? 0))}%"
            ></div>
          </div>
          <span class="value">${level === null ? "–" : `${level} %`}</span>
          ${this._renderSpark(sensors.level)}
        </div>
      </div>
    `;
  }

  private _renderMeasure(
    name: string,
    value: number | null,
    target: number | null,
    unit: string,
    band: number,
    entityId: string | null | undefined,
    problem: boolean,
  ): TemplateResult {
    // The bar spans target ± 2 bands; the marker is the target.
    let position = 50;
    if (value !== null && target !== null) {
      position = 50 + ((value - target) / (band * 2)) * 50;
    }
    return html`
      <div class="measure">
        <button class="measure-label link" @click=${() => this._moreInfo(entityId)}>${name}</button>
        <div class="bar target">
          <div class="target-mark"></div>
          ${value !== null
            ? html`<div
                class="dot ${problem ? "alarm" : ""}"
                style="left: ${Math.max(0, Math.min(100, position))}%"
              ></div>`
            : nothing}
        </div>
        <span class="value">
          ${value === null ? "–" : value}${unit ? html` <small>${unit}</small>` : nothing}
          ${target !== null ? html`<small class="muted">/ ${target}</small>` : nothing}
        </span>
        ${this._renderSpark(entityId)}
      </div>
    `;
  }

  private _renderSpark(entityId: string | null | undefined): TemplateResult | typeof nothing {
    const points = entityId ? this._history[entityId] : undefined;
    const values = (points ?? [])
      .map((point) => ({ t: point.lu, v: Number.parseFloat(point.s) }))
      .filter((point) => Number.isFinite(point.v));
    if (values.length < 2) return html`<span class="spark"></span>`;
    const t0 = values[0].t;
    const span = Math.max(1, values[values.length - 1].t - t0);
    const low = Math.min(...values.map((p) => p.v));
    const high = Math.max(...values.map((p) => p.v));
    const range = high - low || 1;
    const path = values
      .map((p, i) => {
        const x = ((p.t - t0) / span) * 100;
        const y = 18 - ((p.v - low) / range) * 16;
        return `${i === 0 ? "M" : "L"}${x.toFixed(1)},${y.toFixed(1)}`;
      })
      .join(" ");
    return html`<svg class="spark" viewBox="0 0 100 20" preserveAspectRatio="none" aria-hidden="true">
      ${svg`<path d=${path}></path>`}
    </svg>`;
  }

  private _renderCare(farm: FarmOverview): TemplateResult {
    return html`
      <section class="care">
        <div class="section-title">Care</div>
        ${farm.care.length === 0
          ? html`<div class="message">Nothing due. Enjoy the green.</div>`
          : farm.care.map(
              (item) => html`
                <label class="care-item ${item.urgency}" data-task=${item.task_id}>
                  <input
                    type="checkbox"
                    .checked=${false}
                    ?disabled=${this._busy.has(`care-${item.task_id}`) || !farm.care_list}
                    @change=${() => this._tick(item)}
                  />
                  <span class="care-kind">${label(CARE_LABELS, item.kind)}</span>
                  <span class="care-plant">${item.plant_name}</span>
                  <span class="care-due">${shortDate(item.due)}</span>
                </label>
              `,
            )}
      </section>
    `;
  }
}

if (!customElements.get("vertical-farm-card")) {
  customElements.define("vertical-farm-card", VerticalFarmCard);
}

declare global {
  interface Window {
    customCards?: Array<Record<string, unknown>>;
  }
}

window.customCards = window.customCards ?? [];
if (!window.customCards.some((card) => card.type === "vertical-farm-card")) {
  window.customCards.push({
    type: "vertical-farm-card",
    name: "Vertical Farm",
    description: "Racks, shelves and plants, tanks against their targets, and the care list.",
    preview: false,
    documentationURL: "https://github.com/vertical-farm/vertical-farm#the-dashboard-card",
  });
}
