// 吹哨报到 (issue #16): the complaint lists and the report form.
//
//   #/complaints                 by role: my reports (owners), what is dispatched to my
//                                department (department staff), the district's (officials)
//   #/community/:id/complaints   one compound's complaints and "我要投诉" (owners, committee;
//                                a phone first: one column, big targets, photos from the camera)

import { mutate, PROBLEM, request } from "../api.js";
import { h } from "../dom.js";
import { busy, errorBox, field, markInvalid } from "../forms.js";
import { formatDateTime, formatNumber, getLang, t } from "../i18n.js";
import { navigate } from "../router.js";
import { RUNNING_BODY, districtsOf, hasRole, rolesIn, viewer } from "../session.js";

const FIELDS = `id state community text place reportedAt deadline overdue reporterName
  category { code zh en serious } assignments { department state overdue }`;

const LIST = `
query Complaints($scope: ComplaintScope!, $communityId: ID, $openOnly: Boolean) {
  complaints(scope: $scope, communityId: $communityId, openOnly: $openOnly, first: 50) {
    totalCount nodes { ${FIELDS} }
  }
}`;

const COMPOUND = `
query Compound($id: ID!) {
  community(id: $id) { id name }
  complaintCategories(communityId: $id) { code zh en serious handlingDays }
  complaints(scope: COMPOUND, communityId: $id, first: 50) { totalCount nodes { ${FIELDS} } }
}`;

const REPORT = `
mutation Report($input: ReportComplaintInput!) {
  reportComplaint(input: $input) { __typename ... on ComplaintSaved { complaint { id } } ...ProblemFields }
}${PROBLEM}`;

export const MAX_PHOTOS = 6;
const PHOTO_MAX = 2 * 1024 * 1024;

const SIDE = 1280; // as the server stores them (api/formats/photo.py COMPLAINT_SIDE)

function asBase64(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ""));
    reader.onerror = () => reject(new Error(t("nominate.photoUnreadable")));
    reader.readAsDataURL(blob);
  });
}

/** A phone's photo (often 3–8 MB) made small before it is sent: drawn at most SIDE pixels a
 *  side and encoded as JPEG, so six fit in one request. The server checks and re-encodes it
 *  again whatever arrives; a picture the browser cannot draw is sent as it is (≤ 2 MB). */
async function shrink(file) {
  try {
    const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
    const scale = Math.min(1, SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
    if (blob) return asBase64(blob);
  } catch {
    // not drawable here: the server decides
  }
  if (file.size > PHOTO_MAX) throw new Error(t("nominate.photoTooBig"));
  return asBase64(file);
}

/** Picked files → base64 strings (no data: prefix), shrunk; more than MAX_PHOTOS is refused
 *  before anything is sent. */
export function readPhotos(input) {
  const files = [...(input.files ?? [])];
  if (files.length > MAX_PHOTOS) return Promise.reject(new Error(t("complaints.tooManyPhotos", { n: MAX_PHOTOS })));
  return Promise.all(files.map(shrink));
}

export function categoryName(c) {
  return getLang() === "en" ? c.en : c.zh;
}

export function stateChip(state) {
  return h("span", { class: `chip complaint-${state.toLowerCase()}` }, t(`complaint.state.${state}`));
}

function complaintList(nodes) {
  if (!nodes.length) return h("p", { class: "panel empty" }, t("complaints.none"));
  return h(
    "ul",
    { class: "complaint-list" },
    nodes.map((c) =>
      h(
        "li",
        { class: "card complaint-item", dataset: { complaint: c.id } },
        h("h2", {}, h("a", { href: `#/complaint/${c.id}` }, `${categoryName(c.category)} · ${c.place || c.community}`)),
        h(
          "p",
          { class: "meta" },
          stateChip(c.state),
          h("span", { class: "chip" }, c.community),
          c.overdue.length ? h("span", { class: "chip warn" }, t("complaint.overdue")) : null,
          ...c.assignments.map((a) => h("span", { class: "chip" }, `${a.department}：${t(`complaint.assignment.${a.state}`)}`)),
        ),
        h("p", { class: "excerpt" }, c.text.length > 80 ? `${c.text.slice(0, 80)}…` : c.text),
        h("p", { class: "hint" }, t("complaint.reportedAt", { at: formatDateTime(c.reportedAt) })),
      ),
    ),
  );
}

function reportForm(communityId, categories) {
  const err = errorBox();
  const category = field({ name: "category", label: t("complaints.field.category"), tag: "select", required: true });
  category.input.append(
    ...categories.map((c) =>
      h("option", { value: c.code }, c.serious ? `${categoryName(c)}（${t("complaints.serious")}）` : categoryName(c)),
    ),
  );
  const text = field({ name: "text", label: t("complaints.field.text"), tag: "textarea", rows: 5, required: true, maxlength: 2000 });
  const place = field({ name: "place", label: t("complaints.field.place"), hint: t("complaints.field.placeHint"), maxlength: 200, required: true });
  const photos = field({
    name: "photos",
    label: t("complaints.field.photos"),
    hint: t("complaints.field.photosHint", { n: MAX_PHOTOS }),
    type: "file",
    accept: "image/jpeg,image/png,image/webp",
    multiple: true,
  });
  const publicBox = h("input", { type: "checkbox", name: "reporterPublic", id: "complaint-public" });
  const button = h("button", { type: "submit", class: "primary" }, t("complaints.submit"));
  const form = h(
    "form",
    { class: "panel complaint-form", novalidate: true },
    err.node,
    category.row,
    text.row,
    place.row,
    photos.row,
    h("div", { class: "field check" }, h("label", { for: "complaint-public" }, publicBox, " ", t("complaints.field.public"))),
    h("p", { class: "hint" }, t("complaints.privacy")),
    h("div", { class: "actions" }, button),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    err.clear();
    try {
      const input = {
        communityId,
        category: category.input.value,
        text: text.input.value,
        place: place.input.value.trim(),
        reporterPublic: publicBox.checked,
        photos: await readPhotos(photos.input),
      };
      const res = await busy(button, () => mutate(REPORT, { input }, "reportComplaint"));
      navigate(`/complaint/${res.complaint.id}`);
    } catch (ex) {
      err.show(ex.message);
      markInvalid(form, ex.field?.startsWith("photos") ? "photos" : ex.field);
    }
  });
  return form;
}

async function compoundScreen(id) {
  const data = await request(COMPOUND, { id });
  const mayReport = rolesIn(id, viewer()).some((r) => r === "owner" || RUNNING_BODY.includes(r));
  return h(
    "section",
    { class: "complaints" },
    h("h1", { tabindex: "-1" }, t("complaints.heading", { name: data.community.name })),
    h("p", { class: "lead" }, t("complaints.intro")),
    mayReport
      ? h("details", { class: "new-complaint", open: data.complaints.totalCount === 0 }, h("summary", {}, t("complaints.new")),
          reportForm(id, data.complaintCategories))
      : null,
    h("p", { class: "hint" }, t("complaints.count", { n: formatNumber(data.complaints.totalCount) })),
    complaintList(data.complaints.nodes),
  );
}

const DEPARTMENTS = `query Departments($d: ID!) { departments(districtId: $d) { id name } }`;
const CREATE_DEPARTMENT = `
mutation CreateDepartment($input: CreateDepartmentInput!) {
  createDepartment(input: $input) { __typename ... on DepartmentSaved { department { id name } } ...ProblemFields }
}${PROBLEM}`;
const GRANT_STAFF = `
mutation GrantStaff($input: GrantDepartmentRoleInput!) {
  grantDepartmentRole(input: $input) { __typename ... on DepartmentRoleGranted { grantId activationCode } ...ProblemFields }
}${PROBLEM}`;

/** Officials: the district's departments, a new one, and a staff member's role (with the new
 *  account's activation code, shown once for its letter). */
async function departmentsPanel(districtId) {
  const { departments } = await request(DEPARTMENTS, { d: districtId });
  const list = h("ul", { class: "department-list" }, departments.map((d) => h("li", {}, d.name)));
  const err = errorBox();
  const name = field({ name: "name", label: t("departments.field.name"), maxlength: 100, required: true });
  const reason = field({ name: "reason", label: t("departments.field.reason"), required: true });
  const create = h("button", { type: "submit", class: "secondary" }, t("departments.create"));
  const createForm = h("form", { class: "panel", novalidate: true }, err.node, name.row, reason.row, h("div", { class: "actions" }, create));
  createForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    err.clear();
    try {
      const input = { districtId, name: name.input.value.trim(), reason: reason.input.value.trim() };
      const res = await busy(create, () => mutate(CREATE_DEPARTMENT, { input }, "createDepartment"));
      list.append(h("li", {}, res.department.name));
      dept.input.append(h("option", { value: res.department.id }, res.department.name));
      name.input.value = "";
    } catch (ex) {
      err.show(ex.message);
      markInvalid(createForm, ex.field);
    }
  });
  const gErr = errorBox();
  const done = h("p", { class: "notice", role: "status", hidden: true });
  const dept = field({ name: "departmentId", label: t("departments.field.department"), tag: "select" });
  dept.input.append(...departments.map((d) => h("option", { value: d.id }, d.name)));
  const phone = field({ name: "phone", label: t("departments.field.phone"), type: "tel", required: true });
  const holder = field({ name: "name", label: t("departments.field.holder"), required: true });
  const why = field({ name: "reason", label: t("departments.field.reason"), required: true });
  const grant = h("button", { type: "submit", class: "secondary" }, t("departments.grant"));
  const grantForm = h("form", { class: "panel", novalidate: true }, gErr.node, done, dept.row, phone.row, holder.row, why.row, h("div", { class: "actions" }, grant));
  grantForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    gErr.clear();
    done.hidden = true;
    try {
      const input = { departmentId: dept.input.value, phone: phone.input.value.trim(), name: holder.input.value.trim(), reason: why.input.value.trim() };
      const res = await busy(grant, () => mutate(GRANT_STAFF, { input }, "grantDepartmentRole"));
      done.textContent = res.activationCode ? t("departments.granted.code", { code: res.activationCode }) : t("departments.granted");
      done.hidden = false;
    } catch (ex) {
      gErr.show(ex.message);
      markInvalid(grantForm, ex.field);
    }
  });
  return h(
    "details",
    { class: "departments" },
    h("summary", {}, t("departments.title")),
    list,
    h("h3", {}, t("departments.create")),
    createForm,
    h("h3", {}, t("departments.grant")),
    grantForm,
  );
}

function myScope(v) {
  if (districtsOf(v).length || hasRole(["admin"], v)) return "DISTRICT";
  if (v.roles.some((g) => g.role === "department")) return "DEPARTMENT";
  return "MINE";
}

export default async function render(ctx) {
  if (ctx.params.id) return compoundScreen(ctx.params.id);
  const scope = myScope(viewer());
  const openOnly = ctx.query.get("open") === "1";
  const data = await request(LIST, { scope, openOnly });
  const v = viewer();
  const compounds = [...new Set(v.roles.filter((g) => g.communityId && (g.role === "owner" || RUNNING_BODY.includes(g.role))).map((g) => g.communityId))];
  return h(
    "section",
    { class: "complaints" },
    h("h1", { tabindex: "-1" }, t(`complaints.title.${scope}`)),
    h("p", { class: "lead" }, t(`complaints.lead.${scope}`)),
    compounds.length
      ? h("div", { class: "actions" }, compounds.map((id) => h("a", { class: "button primary", href: `#/community/${id}/complaints` }, t("complaints.reportHere"))))
      : null,
    scope === "MINE"
      ? null
      : h("p", {}, h("a", { href: openOnly ? "#/complaints" : "#/complaints?open=1" }, t(openOnly ? "complaints.showAll" : "complaints.showOpen"))),
    h("p", { class: "hint" }, t("complaints.count", { n: formatNumber(data.complaints.totalCount) })),
    complaintList(data.complaints.nodes),
    ...(scope === "DISTRICT" ? await Promise.all(districtsOf(v).map(departmentsPanel)) : []),
  );
}
