// The card's look, from Home Assistant's theme variables only.
import { css } from "lit";

export const cardStyles = css`
  :host {
    display: block;
  }
  ha-card {
    padding: 12px 12px 8px;
    box-sizing: border-box;
  }
  button.link {
    all: unset;
    cursor: pointer;
    border-radius: 4px;
  }
  button.link:focus-visible,
  button.water:focus-visible {
    outline: 2px solid var(--primary-color);
  }
  .header {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 8px;
    margin-bottom: 8px;
  }
  .title {
    font-size: var(--ha-card-header-font-size, 1.25rem);
    color: var(--ha-card-header-color, var(--primary-text-color));
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .badge {
    font-size: 0.8rem;
    padding: 2px 8px;
    border-radius: 12px;
    background: var(--secondary-background-color);
    color: var(--primary-text-color);
    white-space: nowrap;
  }
  .badge.alarm,
  .care-item.overdue .care-due {
    color: var(--error-color);
  }
  .message {
    color: var(--secondary-text-color);
    padding: 8px 0;
  }
  section {
    display: grid;
    gap: 8px;
    margin-bottom: 12px;
  }
  .racks,
  .tanks {
    grid-template-columns: repeat(auto-fit, minmax(min(100%, 280px), 1fr));
  }
  .rack,
  .tank {
    border: 1px solid var(--divider-color);
    border-radius: var(--ha-card-border-radius, 12px);
    padding: 8px;
    min-width: 0;
  }
  .rack-head {
    display: flex;
    align-items: baseline;
    justify-content: space-between;
    flex-wrap: wrap;
    gap: 4px 8px;
    margin-bottom: 6px;
  }
  .name,
  .section-title {
    font-weight: 500;
    color: var(--primary-text-color);
  }
  .meta {
    font-size: 0.8rem;
    color: var(--secondary-text-color);
    display: inline-flex;
    align-items: center;
    gap: 4px;
  }
  .meta ha-icon {
    --mdc-icon-size: 16px;
  }
  .warn {
    color: var(--warning-color);
  }
  .shelf {
    display: flex;
    gap: 6px;
    align-items: stretch;
    border-top: 1px dashed var(--divider-color);
    padding: 6px 0;
  }
  .shelf-no {
    flex: 0 0 18px;
    font-size: 0.75rem;
    color: var(--secondary-text-color);
    text-align: center;
    padding-top: 4px;
  }
  .plants {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(132px, 1fr));
    gap: 6px;
    flex: 1;
    min-width: 0;
  }
  .plant {
    position: relative;
    background: var(--secondary-background-color);
    border-radius: 8px;
    padding: 6px 36px 6px 8px;
    min-width: 0;
    border-left: 3px solid var(--success-color, #4caf50);
  }
  .plant.attention {
    border-left-color: var(--warning-color);
  }
  .plant-name {
    display: block;
    font-size: 0.85rem;
    color: var(--primary-text-color);
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .plant-meta,
  .plant-next {
    font-size: 0.75rem;
    color: var(--secondary-text-color);
    display: flex;
    flex-wrap: wrap;
    gap: 2px 6px;
  }
  .phase {
    color: var(--primary-color);
  }
  button.water {
    position: absolute;
    right: 4px;
    top: 50%;
    transform: translateY(-50%);
    width: 32px;
    height: 32px;
    border: none;
    border-radius: 50%;
    background: none;
    color: var(--primary-color);
    cursor: pointer;
    display: grid;
    place-items: center;
  }
  button.water:disabled {
    opacity: 0.4;
    cursor: default;
  }
  .measure {
    display: grid;
    grid-template-columns: 44px 1fr auto;
    grid-template-areas: "label bar value" "spark spark spark";
    align-items: center;
    gap: 2px 8px;
    margin: 4px 0;
  }
  .measure-label {
    grid-area: label;
    font-size: 0.8rem;
    color: var(--secondary-text-color);
  }
  .bar {
    grid-area: bar;
    position: relative;
    height: 8px;
    border-radius: 4px;
    background: var(--divider-color);
    overflow: hidden;
  }
  .bar.target {
    overflow: visible;
    background: linear-gradient(
      90deg,
      var(--divider-color) 0 25%,
      color-mix(in srgb, var(--success-color, #4caf50) 35%, transparent) 25% 75%,
      var(--divider-color) 75% 100%
    );
  }
  .target-mark {
    position: absolute;
    left: 50%;
    top: -3px;
    bottom: -3px;
    width: 2px;
    background: var(--primary-text-color);
  }
  .dot {
    position: absolute;
    top: 50%;
    width: 12px;
    height: 12px;
    border-radius: 50%;
    transform: translate(-50%, -50%);
    background: var(--primary-color);
    border: 2px solid var(--card-background-color, #fff);
  }
  .fill {
    height: 100%;
    background: var(--primary-color);
  }
  .dot.alarm,
  .fill.alarm {
    background: var(--error-color);
  }
  .value {
    grid-area: value;
    font-size: 0.85rem;
    color: var(--primary-text-color);
    white-space: nowrap;
    text-align: right;
  }
  .muted,
  small {
    color: var(--secondary-text-color);
  }
  .spark {
    grid-area: spark;
    width: 100%;
    height: 20px;
  }
  .spark path {
    fill: none;
    stroke: var(--primary-color);
    stroke-width: 1.5;
    vector-effect: non-scaling-stroke;
  }
  .care-item {
    display: grid;
    grid-template-columns: 24px auto 1fr auto;
    align-items: center;
    gap: 8px;
    padding: 4px 0;
    border-top: 1px solid var(--divider-color);
    font-size: 0.9rem;
    color: var(--primary-text-color);
    cursor: pointer;
  }
  .care-item input {
    width: 18px;
    height: 18px;
    accent-color: var(--primary-color);
  }
  .care-plant {
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    color: var(--secondary-text-color);
  }
  .care-due {
    font-size: 0.8rem;
    color: var(--secondary-text-color);
  }
  .care-item.today .care-due {
    color: var(--warning-color);
  }
`;
