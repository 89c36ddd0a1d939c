// Certification (docs/design.md §3.8): after the close each supervisor checks the result digest,
// the roll fingerprint and the final ledger head, and signs them off; the second signature
// certifies the result. Anyone overseeing may recompute everything with verifyElection.

import { mutate, PROBLEM, request } from "../api.js";
import { h, newId, replace } from "../dom.js";
import { confirmAct } from "../confirm.js";
import { busy, errorBox } from "../forms.js";
import { formatNumber, t } from "../i18n.js";
import { rerender } from "../router.js";
import { hasRole, viewer } from "../session.js";
import { resultView } from "../results.js";
import { ELECTION_FIELDS, formatTime, QUESTION_FIELDS, stateBadge } from "../voting.js";
import { powers, staffLinks } from "./elections.js";

const HEAD = `
query Certify($id: ID!) {
  election(id: $id) {
    ${ELECTION_FIELDS} closesAt
    questions { ${QUESTION_FIELDS} }
    signoffs { supervisorId resultDigest signedAt }
    result { digest data }
  }
}`;
const SIGN = `
mutation SignOff($input: SignOffInput!) {
  signOffElection(input: $input) {
    __typename
    ... on ElectionSaved { election { id state } }
    ...ProblemFields
  }
} ${PROBLEM}`;
const VERIFY = `
query Verify($id: ID!) {
  verifyElection(electionId: $id) {
    ok entries head firstBadSeq reason rollFingerprintOk countedOk resultOk
  }
}`;

function hashRow(label, value) {
  return [h("dt", {}, label), h("dd", { class: "hash" }, h("code", {}, value ?? "—"))];
}

function yesNo(value) {
  if (value === null || value === undefined) return t("verify.notApplicable");
  return value ? t("verify.ok") : t("verify.bad");
}

function verifyPanel(id) {
  const out = h("div", { "aria-live": "polite" });
  const button = h("button", { type: "button", class: "primary" }, t("verify.run"));
  button.addEventListener("click", () =>
    busy(button, async () => {
      try {
        const { verifyElection: r } = await request(VERIFY, { id });
        replace(
          out,
          h(
            "div",
            { class: `verify-report ${r.ok ? "success" : "error"}`, dataset: { ok: String(r.ok) } },
            h("p", { class: "verdict" }, r.ok ? t("verify.allOk") : t("verify.failed")),
            h(
              "dl",
              { class: "summary" },
              h("dt", {}, t("verify.entries")), h("dd", {}, formatNumber(r.entries)),
              hashRow(t("verify.head"), r.head),
              h("dt", {}, t("verify.chain")), h("dd", {}, r.firstBadSeq === null ? t("verify.ok") : t("verify.firstBad", { n: r.firstBadSeq })),
              r.reason ? [h("dt", {}, t("verify.reason")), h("dd", {}, r.reason)] : null,
              h("dt", {}, t("verify.roll")), h("dd", {}, yesNo(r.rollFingerprintOk)),
              h("dt", {}, t("verify.counted")), h("dd", {}, yesNo(r.countedOk)),
              h("dt", {}, t("verify.result")), h("dd", {}, yesNo(r.resultOk)),
            ),
          ),
        );
      } catch (err) {
        replace(out, h("p", { class: "error", role: "alert" }, err.message));
      }
    }),
  );
  return h(
    "section",
    { class: "panel", "aria-labelledby": "verify-h" },
    h("h2", { id: "verify-h" }, t("verify.title")),
    h("p", {}, t("verify.body")),
    button,
    out,
  );
}

export default async function render(ctx) {
  const id = ctx.params.id;
  const { election } = await request(HEAD, { id });
  const me = viewer();
  const p = powers(election.communityId);
  const signed = election.signoffs.some((s) => s.supervisorId === me.id);
  const mayCertify = hasRole(["supervisor"], me);
  const error = errorBox();
  const checkId = newId("checked");
  const checked = h("input", { type: "checkbox", id: checkId, name: "checked" });
  const sign = h("button", { type: "button", class: "primary" }, t("certify.sign"));
  sign.addEventListener("click", () => {
    error.clear();
    if (!checked.checked) return error.show(t("certify.checkFirst"));
    // a signature cannot be withdrawn: the shared confirmation first (confirm.js)
    return confirmAct({
      title: t("certify.ask"),
      text: t("certify.irreversible", { title: election.title }),
      yesLabel: t("certify.signDo"),
      run: async () => {
        await mutate(
          SIGN,
          { input: { electionId: id, resultDigest: election.resultDigest, rollFingerprint: election.rollFingerprint, ledgerHead: election.ledgerHead } },
          "signOffElection",
        );
        rerender();
      },
    });
  });

  const closed = ["CLOSED", "CERTIFIED", "PUBLISHED"].includes(election.state);
  return h(
    "section",
    { class: "certify" },
    h("p", { class: "crumbs" }, h("a", { href: `#/community/${election.communityId}/elections` }, t("election.back"))),
    h("h1", { tabindex: "-1" }, t("certify.heading", { title: election.title })),
    h("p", { class: "meta" }, stateBadge(election.state)),
    h("div", { class: "actions" }, staffLinks(election, { ...p, verify: false })),
    closed
      ? h(
          "section",
          { class: "panel", "aria-labelledby": "values-h" },
          h("h2", { id: "values-h" }, t("certify.values")),
          h("p", {}, t("certify.valuesBody", { closes: formatTime(election.closesAt) })),
          h(
            "dl",
            { class: "summary" },
            hashRow(t("certify.resultDigest"), election.resultDigest),
            hashRow(t("certify.rollFingerprint"), election.rollFingerprint),
            hashRow(t("certify.ledgerHead"), election.ledgerHead),
            h("dt", {}, t("certify.ledgerSeq")), h("dd", {}, formatNumber(election.ledgerSeq)),
            h("dt", {}, t("certify.signoffs")),
            h("dd", {}, t("certify.signoffsValue", { n: formatNumber(election.signoffs.length) })),
          ),
          election.signoffs.length
            ? h("ul", { class: "plain" }, election.signoffs.map((s) => h("li", {}, t("certify.signedBy", { id: s.supervisorId, at: formatTime(s.signedAt) }), s.supervisorId === me.id ? ` ${t("certify.you")}` : "")))
            : null,
          election.state === "CLOSED" && mayCertify && !signed
            ? h(
                "div",
                { class: "sign" },
                h("div", { class: "check" }, checked, h("label", { for: checkId }, t("certify.checkedLabel"))),
                error.node,
                sign,
              )
            : null,
          signed ? h("p", { class: "success" }, t("certify.youSigned")) : null,
        )
      : h("p", { class: "notice" }, t("certify.notClosed", { closes: formatTime(election.closesAt) })),
    election.state !== "DRAFT" ? verifyPanel(id) : null,
    election.result ? resultView(election, election.questions, election.result.data) : null,
  );
}
