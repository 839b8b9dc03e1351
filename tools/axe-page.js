// Runs axe-core (the copy Ace ships) on one HTML page in Debian's chromium; prints the violations as JSON.
// Usage: node tools/axe-page.js FILE.html [WIDTH]
const path = require("path");
const puppeteer = require("puppeteer-core");

(async () => {
  const file = path.resolve(process.argv[2]);
  const width = parseInt(process.argv[3] || "1280", 10);
  const browser = await puppeteer.launch({
    executablePath: path.join(__dirname, "chromium-headless"),
    headless: true,
    args: ["--no-sandbox"],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width, height: 900 });
    await page.goto("file://" + file, { waitUntil: "load" });
    await page.addScriptTag({ path: require.resolve("@daisy/axe-core-for-ace/axe.min.js") });
    const result = await page.evaluate(async () =>
      await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] } }));
    const violations = result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length }));
    process.stdout.write(JSON.stringify(violations) + "\n");
  } finally {
    await browser.close();
  }
})().catch((error) => { console.error(error); process.exit(2); });
