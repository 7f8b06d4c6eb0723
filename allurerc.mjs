// Allure 3 configuration for the sb-readiness report (read by sbready/report/html.py).
//
// One self-contained HTML file (awesome report, singleFile) that a reviewer opens from
// file:// with no server. sbready/report/html.py passes the run's details through
// environment variables, so this file stays static:
//   SBREADY_REPORT_NAME       report title
//   SBREADY_REPORT_VARIABLES  JSON object of environment info (SB version, dialect, app, ...)
//   SBREADY_REPORT_LANG       "en" (default) or "nl": Allure's own words and our categories
import { defineConfig } from "allure";

const variables = JSON.parse(process.env.SBREADY_REPORT_VARIABLES || "{}");
const failing = ["failed", "broken"];
const reportName = process.env.SBREADY_REPORT_NAME || "sb-readiness report";
const dutch = process.env.SBREADY_REPORT_LANG === "nl";

// Blocker and critical failures decide the verdict, so each gets its own category.
const verdictCategory = (severity) => ({
  id: `${severity}-failures`,
  name: dutch
    ? `${severity[0].toUpperCase()}${severity.slice(1)}-fouten (oordeel NIET GEREED)`
    : `${severity[0].toUpperCase()}${severity.slice(1)} failures (verdict NOT READY)`,
  matchers: { statuses: failing, labels: { severity: `^${severity}$` } },
  groupBy: [{ label: "check_id" }],
  groupByMessage: false,
  expand: true,
});

export default defineConfig({
  name: reportName,
  variables,
  // Machine and Python details say nothing to a reviewer (host, thread, pytest's module path).
  hideLabels: ["host", "thread", "framework", "language", "package", "testClass", "testMethod",
    "suite", "subSuite", "parentSuite"],
  categories: [
    verdictCategory("blocker"),
    verdictCategory("critical"),
    {
      id: "other-failures",
      name: dutch ? "Overige fouten (gemeld, oordeel ongewijzigd)"
        : "Other failures (reported, verdict unaffected)",
      matchers: { statuses: failing },
      groupBy: [{ label: "check_id" }],
      groupByMessage: false,
    },
    // Warnings are not failures: passed or skipped tests that carry a `warning` label
    // (suites/support.py). Allure puts a test in its first matching category, so a failed
    // test that also warned stays under its failure; its warnings show as its steps and tag.
    {
      id: "warnings",
      name: dutch ? "Waarschuwingen (geen fouten, oordeel ongewijzigd)"
        : "Warnings (not failures, verdict unaffected)",
      matchers: { statuses: ["passed", "skipped"], labels: { warning: "." } },
      groupBy: [{ label: "check_id" }],
      groupByMessage: false,
      expand: true,
    },
  ],
  plugins: {
    awesome: {
      options: {
        singleFile: true,
        reportName,
        reportLanguage: dutch ? "nl" : "en",
        // Review area, then check: several tests of one check sit together.
        groupBy: ["epic", "feature"],
      },
    },
  },
});
