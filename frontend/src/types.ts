// The parts of Home Assistant's frontend objects and of the get_overview
// response this card uses.

export interface HassEntity {
  entity_id: string;
  state: string;
  attributes: Record<string, unknown>;
  last_changed: string;
  last_updated: string;
}

export interface HomeAssistant {
  states: Record<string, HassEntity>;
  language: string;
  callService(
    domain: string,
    service: string,
    data?: Record<string, unknown>,
  ): Promise<unknown>;
  callWS<T>(message: Record<string, unknown>): Promise<T>;
}

export interface CardConfig {
  type: string;
  farm?: string;
  title?: string;
  show_racks?: boolean;
  show_tanks?: boolean;
  show_care?: boolean;
  history_hours?: number;
}

export interface RackOverview {
  device_id: string | null;
  name: string;
  shelves: number;
  tank: string | null;
  photoperiod_h: number | null;
  lights_on: string;
  lights_off: string;
  light_schedule: boolean;
  irrigation_schedule: boolean;
  dli: number | null;
  climate_problems: string[];
  conflict: boolean;
}

export interface TankOverview {
  device_id: string | null;
  name: string;
  volume_l: number;
  target_ec: number | null;
  ec: number | null;
  target_ph: number | null;
  ph: number | null;
  problems: string[];
  days_until_empty: number | null;
  level_l?: number | null;
  level_percent?: number | null;
  sensors?: Record<string, string | null>;
}

export interface PlantOverview {
  device_id: string | null;
  name: string;
  species: string;
  quantity: number;
  rack: string | null;
  shelf: number | null;
  phase: string | null;
  days_in_phase: number | null;
  next_watering: string | null;
  harvest_blocked: boolean;
  needs_attention: string[];
}

export interface CareOverview {
  task_id: string;
  plant: string | null;
  plant_name: string;
  kind: string;
  due: string;
  urgency: string;
}

export interface FarmOverview {
  id: string;
  name: string;
  tasks_due: number;
  tasks_overdue: number;
  care_list?: string | null;
  racks: RackOverview[];
  tanks: TankOverview[];
  plants: PlantOverview[];
  care: CareOverview[];
}

export interface HistoryPoint {
  s: string;
  lu: number;
}
