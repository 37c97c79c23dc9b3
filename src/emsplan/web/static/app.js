// emsplan's pages: live job progress, sortable and filterable grids, overrides checked
// as they are typed. No library; everything is served by emsplan itself.
"use strict";

function csrfToken() {
  const match = document.cookie.match(/(?:^|; )emsplan_csrf=([^;]*)/);
  return match ? decodeURIComponent(match[1]) : "";
}

function followJob(section) {
  const id = section.dataset.job;
  const finished = ["done", "failed", "interrupted"];
  const bar = section.querySelector("[data-testid=job-progress]");
  const percent = section.querySelector("[data-job-percent]");
  const status = section.querySelector("[data-job-status]");
  const stage = section.querySelector("[data-job-stage]");
  const stages = section.querySelector("[data-job-stages]");
  const message = section.querySelector("[data-job-message]");
  const result = section.querySelector("[data-job-result]");
  const seen = new Set();
  function show(job) {
    const share = job.status === "done" ? 1 : job.progress;
    bar.value = share;
    bar.dataset.status = job.status;
    bar.textContent = percent.textContent = Math.round(share * 100) + "%";
    status.textContent = job.status;
    status.className = "status status-" + job.status;
    stage.textContent = job.stage;
    if (job.stage && !seen.has(job.stage)) {
      seen.add(job.stage);
      const item = document.createElement("li");
      item.textContent = job.stage;
      stages.appendChild(item);
    }
    message.textContent = job.message;
    if (finished.includes(job.status)) {
      result.textContent = "";
      const link = document.createElement("a");
      if (job.plan) { link.href = "/plans/" + job.plan; link.textContent = "Open plan #" + job.plan; }
      if (job.sweep) { link.href = "/sweeps/" + job.sweep; link.textContent = "Open " + job.kind + " " + job.sweep; }
      if (link.href) result.appendChild(link);
    }
  }
  if (finished.includes(section.dataset.status)) return;
  const events = new EventSource("/api/jobs/" + id + "/events");
  events.addEventListener("job", (event) => {
    const job = JSON.parse(event.data);
    show(job);
    if (finished.includes(job.status)) events.close();
  });
  events.onerror = () => { events.close(); setTimeout(() => location.reload(), 3000); };
}

function cellValue(row, col) {
  const text = row.cells[col] ? row.cells[col].textContent.trim() : "";
  const number = Number(text.replace(/,/g, "").replace(/%$/, ""));
  return text !== "" && !Number.isNaN(number) ? number : text.toLowerCase();
}

function makeSortable(table) {
  table.querySelectorAll("button.sort").forEach((button) => {
    button.addEventListener("click", () => {
      const col = Number(button.dataset.col);
      const body = table.tBodies[0];
      const ascending = button.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("button.sort").forEach((b) => b.removeAttribute("aria-sort"));
      button.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const rows = Array.from(body.rows);
      rows.sort((a, b) => {
        const x = cellValue(a, col), y = cellValue(b, col);
        const order = x < y ? -1 : x > y ? 1 : 0;
        return ascending ? order : -order;
      });
      rows.forEach((row) => body.appendChild(row));
    });
  });
}

function makeFilter(input) {
  const table = document.querySelector("[data-testid='" + input.dataset.filterFor + "']");
  if (!table) return;
  input.addEventListener("input", () => {
    const words = input.value.toLowerCase();
    Array.from(table.tBodies[0].rows).forEach((row) => {
      row.hidden = words !== "" && !row.textContent.toLowerCase().includes(words);
    });
  });
}

function checkOverrides(form) {
  const area = form.querySelector("#overrides");
  const output = form.querySelector("#override-check");
  let timer = null;
  let asked = 0;  // only the answer to the latest question is shown (answers may cross)
  async function check() {
    const question = ++asked;
    const lines = area.value.split("\n").map((l) => l.trim()).filter((l) => l);
    if (!lines.length) { output.textContent = ""; return; }
    const body = {
      network: form.querySelector("#network").value.trim() || null,
      from_scenario: form.querySelector("#from_scenario").value || null,
      overrides: lines,
    };
    const answer = await fetch("/api/overrides/check", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
      body: JSON.stringify(body),
    });
    const found = await answer.json();
    if (question !== asked) return;
    output.textContent = "";
    output.className = "";
    if (!answer.ok) { output.textContent = found.detail; output.className = "error"; return; }
    const list = document.createElement("ul");
    found.overrides.forEach((o) => {
      const item = document.createElement("li");
      item.textContent = (o.ok ? "✓ " : "✗ ") + o.override + (o.message ? ": " + o.message : "");
      item.className = o.ok ? "ok" : "error";
      list.appendChild(item);
    });
    output.appendChild(list);
  }
  area.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(check, 400); });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-job]").forEach(followJob);
  document.querySelectorAll("table[data-sortable]").forEach(makeSortable);
  document.querySelectorAll("input[data-filter-for]").forEach(makeFilter);
  document.querySelectorAll("form[data-override-form]").forEach(checkOverrides);
  document.querySelectorAll("form[data-autosubmit] select").forEach((select) =>
    select.addEventListener("change", () => select.form.submit()));
});
