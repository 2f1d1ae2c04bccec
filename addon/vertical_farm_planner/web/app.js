// The planner's page: the latest plan as a rack and shelf timeline, the
// weekly harvest against demand, and the forecasts of the plan's tanks.
// Every URL is relative, so the page works under Home Assistant's ingress
// prefix (the <base> element points at it).
"use strict";

const $ = (id) => document.getElementById(id);

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

async function getJson(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) {
    let detail = response.statusText;
    try {
      detail = (await response.json()).error.message;
    } catch (_) {
      // Keep the status text.
    }
    throw new Error(`${url}: ${detail}`);
  }
  return response.json();
}

const colours = new Map();

function cropColour(cropId) {
  // The golden angle keeps neighbouring crops' hues far apart.
  if (!colours.has(cropId)) colours.set(cropId, `hsl(${(colours.size * 137.5) % 360} 65% 72%)`);
  return colours.get(cropId);
}

function number(value, digits = 1) {
  return value === null || value === undefined ? "–" : Number(value).toFixed(digits);
}

function renderTotals(plan) {
  const totals = $("totals");
  totals.replaceChildren();
  const rows = [
    ["Farm", plan.farm_id],
    ["Made", new Date(plan.created_at).toLocaleString()],
    ["Weeks", `${plan.horizon_weeks} from ${plan.start}`],
    ["Demand met", `${plan.totals.met} of ${plan.totals.demand} plants`],
    ["Shortfall", `${plan.totals.shortfall} plants in ${plan.unmet.length} crop-weeks`],
    ["Shelf use", `${Math.round(plan.totals.shelf_use * 100)} %`],
    ["New sowings", plan.sowings.length],
  ];
  for (const [term, value] of rows) {
    totals.append(element("dt", term), element("dd", value));
  }
  $("summary").hidden = false;
}

function weekLabel(plan, week) {
  const day = new Date(`${plan.start}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + 7 * week);
  return `${day.getUTCDate()}/${day.getUTCMonth() + 1}`;
}

function gridColumns(plan) {
  return `var(--label) repeat(${plan.horizon_weeks}, var(--week))`;
}

function renderTimeline(plan) {
  const names = new Map(plan.crops.map((crop) => [crop.id, crop.name]));
  const legend = $("legend");
  legend.replaceChildren();
  colours.clear();
  for (const crop of plan.crops) {
    const chip = element("span", crop.name);
    chip.style.backgroundColor = cropColour(crop.id);
    legend.append(chip);
  }

  const timeline = $("timeline");
  timeline.replaceChildren();
  const shelves = new Map();
  for (const use of plan.shelf_use) shelves.set(`${use.rack}/${use.shelf}`, use);

  for (const rack of plan.racks) {
    const block = element("div", null, "rack");
    block.dataset.rack = rack.id;
    block.append(element("h3", rack.name || rack.id));
    const header = element("div", null, "weeks");
    header.style.gridTemplateColumns = gridColumns(plan);
    header.append(element("div", ""));
    for (let week = 0; week < plan.horizon_weeks; week += 1) {
      header.append(element("div", weekLabel(plan, week)));
    }
    block.append(header);

    for (let number = 1; number <= rack.shelves; number += 1) {
      const row = element("div", null, "shelf");
      row.dataset.shelf = String(number);
      row.style.gridTemplateColumns = gridColumns(plan);
      const label = element("div", `Shelf ${number}`, "label");
      label.style.gridColumn = "1";
      label.style.gridRow = "1";
      row.append(label);
      const use = shelves.get(`${rack.id}/${number}`);
      if (use) {
        use.used.forEach((used, week) => {
          const bar = element("div", null, "use");
          bar.style.gridColumn = String(week + 2);
          bar.style.gridRow = "1";
          bar.title = `${used} of ${use.sites} sites`;
          const fill = element("span");
          fill.style.width = `${Math.min(100, use.sites ? (100 * used) / use.sites : 0)}%`;
          bar.append(fill);
          row.append(bar);
        });
      }
      const sowings = plan.sowings.filter(
        (sowing) => sowing.rack === rack.id && sowing.shelf === number,
      );
      for (const sowing of sowings) {
        const bar = element(
          "div",
          `${names.get(sowing.crop) || sowing.crop} ×${sowing.quantity}`,
          "sowing",
        );
        bar.style.gridColumn = `${sowing.week + 2} / ${sowing.harvest_week + 2}`;
        bar.style.backgroundColor = cropColour(sowing.crop);
        bar.title = `Sow ${sowing.quantity} on ${sowing.sow_on}, harvest on ${sowing.harvest_on}`;
        row.append(bar);
      }
      block.append(row);
    }
    timeline.append(block);
  }
  $("timeline-section").hidden = false;
}

function renderHarvest(plan) {
  const table = $("harvest");
  table.replaceChildren();
  const head = element("tr");
  head.append(element("th", "Crop"));
  for (let week = 0; week < plan.horizon_weeks; week += 1) {
    head.append(element("th", weekLabel(plan, week)));
  }
  table.append(head);
  const cells = new Map(plan.harvest.map((row) => [`${row.crop}/${row.week}`, row]));
  for (const crop of plan.crops) {
    const row = element("tr");
    row.dataset.crop = crop.id;
    row.append(element("td", crop.name));
    for (let week = 0; week < plan.horizon_weeks; week += 1) {
      const cell = cells.get(`${crop.id}/${week}`);
      if (!cell) {
        row.append(element("td", "", "muted"));
        continue;
      }
      const short = cell.expected < cell.demand;
      const td = element(
        "td",
        cell.demand ? `${cell.expected}/${cell.demand}` : `${cell.expected}`,
        short ? "short" : "met",
      );
      td.title = `Expected ${cell.expected}, wanted ${cell.demand}`;
      row.append(td);
    }
    table.append(row);
  }
  $("harvest-section").hidden = false;
}

async function renderForecasts(plan) {
  const tankNames = new Map((plan.tanks || []).map((tank) => [tank.id, tank.name]));
  const tanks = [...new Set(plan.racks.map((rack) => rack.tank).filter(Boolean))];
  const box = $("forecasts");
  box.replaceChildren();
  if (!tanks.length) return;
  $("forecast-section").hidden = false;
  for (const tank of tanks) {
    const card = element("div", null, "tank");
    card.dataset.tank = tank;
    card.append(element("h3", tankNames.get(tank) || tank));
    box.append(card);
    // Only ask for a forecast once the journal knows the tank.
    const known = await getJson(
      `api/v1/journal?subject=${encodeURIComponent(tank)}&limit=1`,
    );
    if (!known.records.length) {
      card.append(element("p", "No records about this tank yet.", "muted"));
      continue;
    }
    const forecast = await getJson(`api/v1/forecast/tanks/${encodeURIComponent(tank)}`);
    const water = forecast.water;
    const facts = element("dl");
    for (const [term, value] of [
      ["Water use", `${number(water.use_l_per_day)} L/day (${water.method})`],
      ["Level now", `${number(water.level_l)} L`],
      ["Empty in", `${number(water.days_until_empty)} days`],
      ["Empty on", water.empty_on || "–"],
    ]) {
      facts.append(element("dt", term), element("dd", value));
    }
    card.append(facts);
    if (forecast.nutrients.length) {
      const table = element("table");
      const head = element("tr");
      for (const title of ["Product", "ml/week", "Stock ml", "Runs out"]) {
        head.append(element("th", title));
      }
      table.append(head);
      for (const product of forecast.nutrients) {
        const row = element("tr");
        row.append(
          element("td", product.fertilizer),
          element("td", number(product.ml_per_week)),
          element("td", number(product.stock_ml, 0)),
          element("td", product.runs_out_on || "–"),
        );
        table.append(row);
      }
      card.append(table);
    }
  }
}

async function showPlan(planId) {
  const plan = await getJson(`api/v1/plans/${encodeURIComponent(planId)}`);
  renderTotals(plan);
  renderTimeline(plan);
  renderHarvest(plan);
  $("status").textContent = "";
  $("status").hidden = true;
  await renderForecasts(plan);
  document.body.dataset.ready = "true";
}

async function start() {
  try {
    const { plans } = await getJson("api/v1/plans?limit=20");
    if (!plans.length) {
      $("status").textContent =
        "No plan yet. Ask for one with the vertical_farm.plan_succession action.";
      document.body.dataset.ready = "true";
      return;
    }
    const picker = $("plan-picker");
    for (const summary of plans) {
      const option = element(
        "option",
        `${new Date(summary.created_at).toLocaleString()} – ${summary.farm_id}`,
      );
      option.value = summary.plan_id;
      picker.append(option);
    }
    picker.addEventListener("change", () => {
      showPlan(picker.value).catch(showError);
    });
    $("plan-picker-label").hidden = plans.length < 2;
    await showPlan(plans[0].plan_id);
  } catch (error) {
    showError(error);
  }
}

function showError(error) {
  $("status").hidden = false;
  $("status").textContent = `Could not load the plan: ${error.message}`;
  document.body.dataset.ready = "error";
}

start();
