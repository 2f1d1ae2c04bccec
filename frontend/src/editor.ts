// The card's visual editor: Home Assistant's own form with selectors.
import { LitElement, html, nothing, type TemplateResult } from "lit";
import { property, state } from "lit/decorators.js";
import type { CardConfig, HomeAssistant } from "./types";

const SCHEMA = [
  { name: "farm", selector: { config_entry: { integration: "vertical_farm" } } },
  { name: "title", selector: { text: {} } },
  {
    type: "grid",
    name: "",
    schema: [
      { name: "show_racks", selector: { boolean: {} } },
      { name: "show_tanks", selector: { boolean: {} } },
      { name: "show_care", selector: { boolean: {} } },
    ],
  },
  {
    name: "history_hours",
    selector: { number: { min: 1, max: 168, step: 1, mode: "box", unit_of_measurement: "h" } },
  },
];

const LABELS: Record<string, string> = {
  farm: "Farm (empty: the only one)",
  title: "Title (empty: the farm's name)",
  show_racks: "Racks and plants",
  show_tanks: "Tanks",
  show_care: "Care list",
  history_hours: "Tank history",
};

interface CardHelpers {
  createCardElement(config: Record<string, unknown>): Promise<HTMLElement>;
}

// Home Assistant loads its form element lazily; a built-in card's editor brings it.
async function loadForm(): Promise<void> {
  if (customElements.get("ha-form")) return;
  const load = (window as { loadCardHelpers?: () => Promise<CardHelpers> }).loadCardHelpers;
  if (!load) return;
  const card = await (await load()).createCardElement({ type: "entities", entities: [] });
  const editor = card.constructor as { getConfigElement?: () => Promise<unknown> };
  await editor.getConfigElement?.();
  await customElements.whenDefined("ha-form");
}

export class VerticalFarmCardEditor extends LitElement {
  @property({ attribute: false }) public hass?: HomeAssistant;
  @state() private _config?: CardConfig;

  public setConfig(config: CardConfig): void {
    this._config = config;
  }

  connectedCallback(): void {
    super.connectedCallback();
    void loadForm().then(() => this.requestUpdate());
  }

  protected render(): TemplateResult | typeof nothing {
    if (!this.hass || !this._config) return nothing;
    const data = {
      show_racks: true,
      show_tanks: true,
      show_care: true,
      history_hours: 24,
      ...this._config,
    };
    return html`<ha-form
      .hass=${this.hass}
      .data=${data}
      .schema=${SCHEMA}
      .computeLabel=${(item: { name: string }) => LABELS[item.name] ?? item.name}
      @value-changed=${this._changed}
    ></ha-form>`;
  }

  private _changed(event: CustomEvent<{ value: Partial<CardConfig> }>): void {
    event.stopPropagation();
    const value = { ...this._config, ...event.detail.value } as CardConfig;
    for (const key of ["farm", "title"] as const) {
      if (!value[key]) delete value[key];
    }
    this._config = value;
    this.dispatchEvent(
      new CustomEvent("config-changed", { detail: { config: value }, bubbles: true, composed: true }),
    );
  }
}

if (!customElements.get("vertical-farm-card-editor")) {
  customElements.define("vertical-farm-card-editor", VerticalFarmCardEditor);
}
