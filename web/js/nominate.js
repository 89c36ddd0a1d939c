// Nominating while a forum's window is open: an owner nominates themself, or another owner
// jointly (five owners co-sign before it stands); the preparatory group or committee nominates
// as the running body. Each with a statement and an optional photo (JPEG, PNG or WebP up to
// 2 MiB; the service checks its bytes and removes EXIF).

import { mutate, PROBLEM } from "./api.js";
import { h } from "./dom.js";
import { field } from "./forms.js";
import { t } from "./i18n.js";
import { ownerPicker } from "./owners.js";
import { actionForm } from "./govern.js";

const NOMINATE = `
mutation Nominate($input: NominateInput!) {
  nominateCandidate(input: $input) { __typename ... on NominationSaved { nomination { id } } ...ProblemFields }
} ${PROBLEM}`;
const PHOTO_MAX = 2 * 1024 * 1024;

/** A picked file → its bytes as base64 (no data: prefix), or null if none was picked. */
function readPhoto(input) {
  const file = input.files?.[0];
  if (!file) return Promise.resolve(null);
  if (file.size > PHOTO_MAX) return Promise.reject(new Error(t("nominate.photoTooBig")));
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ""));
    reader.onerror = () => reject(new Error(t("nominate.photoUnreadable")));
    reader.readAsDataURL(file);
  });
}

/** route: "SELF", "JOINT" or "RUNNING_BODY". */
export function nominateForm({ forumId, communityId, route, onDone }) {
  const committeeId = `nom-committee-${route}`;
  const committee = h("select", { id: committeeId, name: "committee" },
    ["OWNERS_COMMITTEE", "SUPERVISORY_COMMITTEE"].map((c) => h("option", { value: c }, t(`committee.${c}`))));
  const picker = route === "SELF" ? null : ownerPicker({ communityId, label: t("nominate.who"), name: "personId" });
  const statement = field({ name: "statement", label: t("nominate.statement"), hint: t("nominate.statementHint"), tag: "textarea", rows: "5", maxlength: "2000", required: true });
  const photo = field({ name: "photo", label: t("nominate.photo"), hint: t("nominate.photoHint"), type: "file", accept: "image/jpeg,image/png,image/webp" });
  return actionForm({
    className: `stack nominate-form nominate-${route.toLowerCase()}`,
    rows: [
      h("div", { class: "field" }, h("label", { for: committeeId }, t("nominate.committee")), committee),
      picker?.node,
      statement.row,
      photo.row,
    ],
    submitLabel: t(`nominate.submit.${route}`),
    work: async () => {
      const input = { forumId, committee: committee.value, route, statement: statement.input.value };
      if (picker) {
        const [chosen] = picker.chosen();
        if (!chosen) throw new Error(t("nominate.pickOwner"));
        input.personId = chosen.id;
      }
      const bytes = await readPhoto(photo.input);
      if (bytes) input.photo = bytes;
      await mutate(NOMINATE, { input }, "nominateCandidate");
      await onDone();
    },
  });
}
