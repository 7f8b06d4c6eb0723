// Allure 3 configuration for the sb-readiness report (read by sbready/report/html.py).
//
// One self-contained HTML file (awesome report, singleFile) that a reviewer opens from
// file:// with no server. sbready/report/html.py passes the run's details through
// environment variables, so this file stays static:
//   SBREADY_REPORT_NAME       report title
//   SBREADY_REPORT_VARIABLES  JSON object of environment info (SB version, dialect, app, ...)
import { defineConfig } from "allure";

const variables = JSON.parse(process.env.SBREADY_REPORT_VARIABLES || "{}");
const failing = ["failed", "broken"];
const reportName = process.env.SBREADY_REPORT_NAME || "sb-readiness report";

// Blocker and critical failures decide the verdict, so each gets its own category.
const verdictCategory = (severity) => ({
  id: `${severity}-failures`,
  name: `${severity[0].toUpperCase()}${severity.slice(1)} failures (verdict NOT READY)`,
  matchers: { statuses: failing, labels: { severity: `^${severity}$` } },
  groupBy: [{ label: "check_id" }],
  groupByMessage: false,
  expand: true,
});

export default defineConfig({
  name: reportName,
  variables,
  categories: [
    verdictCategory("blocker"),
    verdictCategory("critical"),
    {
      id: "other-failures",
      name: "Other failures (reported, verdict unaffected)",
      matchers: { statuses: failing },
      groupBy: [{ label: "check_id" }],
      groupByMessage: false,
    },
    // Warnings are not failures: passed or skipped tests that carry a `warning` label
    // (suites/support.py). Allure puts a test in its first matching category, so a failed
    // test that also warned stays under its failure; its warnings show as its steps and tag.
    {
      id: "warnings",
      name: "Warnings (not failures, verdict unaffected)",
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
        reportLanguage: "en",
        // Review area, then check: several tests of one check sit together.
        groupBy: ["epic", "feature"],
      },
    },
  },
});
