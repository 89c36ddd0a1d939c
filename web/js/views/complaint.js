// One complaint (吹哨报到, issue #16): what, where, photos, state and deadlines (overdue by the
// server's clock), the departments' parts, the history; and the steps this viewer may take now
// (the API's `actions`): the committee takes it up, resolves it or whistles it; an official
// dispatches it to departments, reassigns, merges; a department reports for duty (报到), notes
// progress, resolves with a note and photos; the reporter reopens or rates it 1–5. The page
// follows the complaint live (complaintLive), so a step taken elsewhere shows at once.

import { mutate, PROBLEM, request } from "../api.js";
import { h, replace } from "../dom.js";
import { busy, errorBox, field, markInvalid } from "../forms.js";
import { formatDateTime, t } from "../i18n.js";
import { subscribe } from "../live.js";
import { categoryName, readPhotos, stateChip, MAX_PHOTOS } from "./complaints.js";

const FIELDS = `id communityId districtId community text place state source hotlineRef reportedAt deadline
  dispatchDue resolvedAt resolution reporterPublic reporterName reporterPhone mine photos overdue
  rating ratingComment mergedInto actions category { code zh en serious }
  assignments { departmentId department state dispatchedAt acceptDue resolveDue acceptedAt resolvedAt note overdue }
  events { at action fromState toState actor department note photos }`;

const ONE = `query Complaint($id: ID!) { complaint(id: $id) { ${FIELDS} } }`;
const DEPARTMENTS = `query Departments($d: ID!) { departments(districtId: $d) { id name } }`;
const STEP = `
mutation Step($input: ComplaintStepInput!) {
  complaintStep(input: $input) { __typename ... on ComplaintSaved { complaint { ${FIELDS} } } ...ProblemFields }
}${PROBLEM}`;
const LIVE = `subscription Live($id: ID!) { complaintLive(complaintId: $id) { complaintId state version } }`;

// which inputs each step asks for
const NOTE_REQUIRED = new Set(["RESOLVE_IN_COMPOUND", "ACT", "RESOLVE", "REOPEN", "REASSIGN", "MERGE"]);
const WITH_PHOTOS = new Set(["RESOLVE_IN_COMPOUND", "ACT", "RESOLVE"]);

function dl(rows) {
  return h("dl", { class: "facts" }, rows.filter(Boolean).flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

function gallery(photos) {
  if (!photos.length) return null;
  return h("div", { class: "complaint-photos" }, photos.map((src, i) => h("img", { src, alt: t("complaint.photoAlt", { n: i + 1 }), loading: "lazy" })));
}

function stepForm(c, action, departments, show) {
  const err = errorBox();
  const parts = [err.node];
  const note = NOTE_REQUIRED.has(action) || action === "RATE"
    ? field({ name: "note", label: t(action === "RATE" ? "complaint.field.comment" : "complaint.field.note"), tag: "textarea", rows: 3, required: NOTE_REQUIRED.has(action) })
    : null;
  if (note) parts.push(note.row);
  let photos = null;
  if (WITH_PHOTOS.has(action)) {
    photos = field({ name: "photos", label: t("complaints.field.photos"), hint: t("complaints.field.photosHint", { n: MAX_PHOTOS }), type: "file", accept: "image/jpeg,image/png,image/webp", multiple: true });
    parts.push(photos.row);
  }
  let rating = null;
  if (action === "RATE") {
    rating = field({ name: "rating", label: t("complaint.field.rating"), tag: "select" });
    rating.input.append(...[5, 4, 3, 2, 1].map((n) => h("option", { value: String(n) }, "★".repeat(n))));
    parts.push(rating.row);
  }
  let picks = [];
  let from = null;
  let to = null;
  if (action === "DISPATCH") {
    picks = departments.map((d) => h("input", { type: "checkbox", name: "departmentIds", value: d.id, id: `dept-${action}-${d.id}` }));
    parts.push(h("fieldset", { class: "field" }, h("legend", {}, t("complaint.field.departments")),
      departments.map((d, i) => h("div", { class: "check" }, h("label", { for: `dept-${action}-${d.id}` }, picks[i], " ", d.name)))));
  }
  if (action === "REASSIGN") {
    from = field({ name: "departmentId", label: t("complaint.field.from"), tag: "select" });
    from.input.append(...c.assignments.filter((a) => a.state === "DISPATCHED" || a.state === "ACCEPTED").map((a) => h("option", { value: a.departmentId }, a.department)));
    to = field({ name: "toDepartmentId", label: t("complaint.field.to"), tag: "select" });
    to.input.append(...departments.map((d) => h("option", { value: d.id }, d.name)));
    parts.push(from.row, to.row);
  }
  let target = null;
  if (action === "MERGE") {
    target = field({ name: "targetId", label: t("complaint.field.target"), inputmode: "numeric", required: true });
    parts.push(target.row);
  }
  const button = h("button", { type: "submit", class: "primary" }, t(`complaint.action.${action}`));
  parts.push(h("div", { class: "actions" }, button));
  const form = h("form", { class: "panel complaint-step", dataset: { action }, novalidate: true }, parts);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    err.clear();
    try {
      const input = { complaintId: c.id, action, note: note ? note.input.value : "" };
      if (photos) input.photos = await readPhotos(photos.input);
      if (rating) input.rating = Number(rating.input.value);
      if (picks.length) input.departmentIds = picks.filter((p) => p.checked).map((p) => p.value);
      if (from) Object.assign(input, { departmentId: from.input.value, toDepartmentId: to.input.value });
      if (target) input.targetId = target.input.value.trim();
      const res = await busy(button, () => mutate(STEP, { input }, "complaintStep"));
      show(res.complaint);
    } catch (ex) {
      err.show(ex.message);
      markInvalid(form, ex.field?.startsWith("photos") ? "photos" : ex.field);
    }
  });
  return form;
}

function page(c, departments, show) {
  const overdue = c.overdue.length ? h("p", { class: "notice warn", role: "note" }, t("complaint.overdueStages", { stages: c.overdue.map((s) => t(`complaint.stage.${s.split(":")[0]}`)).join(t("list.separator")) })) : null;
  return [
    h("h1", { tabindex: "-1" }, `${categoryName(c.category)} · ${c.place || c.community}`),
    h("p", { class: "meta" }, stateChip(c.state), c.category.serious ? h("span", { class: "chip warn" }, t("complaints.serious")) : null,
      c.source === "hotline" ? h("span", { class: "chip" }, t("complaint.hotline", { ref: c.hotlineRef })) : null),
    overdue,
    h("p", { class: "complaint-text" }, c.text),
    gallery(c.photos),
    dl([
      [t("complaint.compound"), c.community],
      [t("complaint.place"), c.place],
      [t("complaint.reporter"), c.reporterName ? `${c.reporterName}${c.reporterPhone ? `（${c.reporterPhone}）` : ""}` : t("complaint.reporterHidden")],
      [t("complaint.reported"), formatDateTime(c.reportedAt)],
      ["REPORTED", "HANDLING"].includes(c.state) ? [t("complaint.deadline"), formatDateTime(c.deadline)] : null,
      c.state === "WHISTLED" && c.dispatchDue ? [t("complaint.dispatchDue"), formatDateTime(c.dispatchDue)] : null,
      c.resolvedAt ? [t("complaint.resolved"), formatDateTime(c.resolvedAt)] : null,
      c.resolution ? [t("complaint.resolution"), c.resolution] : null,
      c.rating ? [t("complaint.rating"), `${"★".repeat(c.rating)}${c.ratingComment ? ` ${c.ratingComment}` : ""}`] : null,
      c.mergedInto ? [t("complaint.mergedInto"), h("a", { href: `#/complaint/${c.mergedInto}` }, `#${c.mergedInto}`)] : null,
    ]),
    c.assignments.length
      ? h("section", { class: "panel" }, h("h2", {}, t("complaint.departments")),
          h("ul", { class: "assignments" }, c.assignments.map((a) => h("li", { dataset: { department: a.departmentId } },
            h("strong", {}, a.department), " ", h("span", { class: `chip${a.overdue ? " warn" : ""}` }, t(`complaint.assignment.${a.state}`)),
            a.state === "DISPATCHED" ? h("span", { class: "hint" }, ` ${t("complaint.acceptBy", { at: formatDateTime(a.acceptDue) })}`) : null,
            a.state === "ACCEPTED" ? h("span", { class: "hint" }, ` ${t("complaint.resolveBy", { at: formatDateTime(a.resolveDue) })}`) : null,
            a.note ? h("p", {}, a.note) : null))))
      : null,
    c.actions.length
      ? h("section", { class: "complaint-actions" }, h("h2", {}, t("complaint.yourSteps")),
          c.actions.map((action) => h("details", { class: "step" }, h("summary", {}, t(`complaint.action.${action}`)), stepForm(c, action, departments, show))))
      : null,
    h("section", { class: "panel history" }, h("h2", {}, t("complaint.history")),
      h("ol", {}, c.events.map((e) => h("li", {},
        h("span", { class: "hint" }, formatDateTime(e.at)), " ",
        t(`complaint.event.${e.action}`), " → ", t(`complaint.state.${e.toState}`),
        e.department ? `（${e.department}）` : "",
        e.actor ? ` · ${e.actor}` : "",
        e.note ? h("p", {}, e.note) : null,
        gallery(e.photos))))),
  ];
}

export default async function render(ctx) {
  const id = ctx.params.id;
  const data = await request(ONE, { id });
  let departments = [];
  if (data.complaint.actions.some((a) => a === "DISPATCH" || a === "REASSIGN")) {
    departments = (await request(DEPARTMENTS, { d: data.complaint.districtId })).departments;
  }
  const root = h("section", { class: "complaint", dataset: { state: data.complaint.state } });
  function show(c) {
    root.dataset.state = c.state;
    replace(root, page(c, departments, show));
  }
  show(data.complaint);
  // a step taken by someone else (the committee, an official, a department) shows at once
  let seenVersion = 0;
  const stop = subscribe(LIVE, { id }, {
    next: async (live) => {
      const version = live.complaintLive.version;
      if (version <= seenVersion) return;
      const first = seenVersion === 0;
      seenVersion = version;
      if (first) return; // the current state, already shown
      const fresh = await request(ONE, { id });
      // a form being filled in here is not thrown away: the next update or a reload shows it
      if (!root.querySelector("details.step[open]")) show(fresh.complaint);
    },
  });
  ctx.onLeave(stop);
  return root;
}
