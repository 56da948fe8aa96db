// Proves docs/architecture.md stays true: each of its Mermaid diagrams (the
// three C4 views) renders in headless Chromium with the mermaid package, and
// shows every element it declares; every component names a file or folder
// of the code that exists; and the event catalogue lists every event type
// the codec knows.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { launchChromium } from "./harness.mjs";

const root = path.resolve(".");
const document = readFileSync(path.join(root, "docs/architecture.md"), "utf8");
const diagrams = [...document.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((match) => match[1]);
// Person(id, "Label", ...), System_Ext(...), ContainerDb(...), Component(...) and the like.
const element = /^\s*(Person|System|Container|Component)\w*\((\w+),\s*"([^"]+)"(?:,\s*"([^"]*)")?/;

function elements(diagram) {
  return diagram.split("\n").map((line) => line.match(element)).filter(Boolean)
    .map(([, kind, id, label, technology]) => ({ kind, id, label, technology }));
}

test("the architecture document has the three C4 views", () => {
  const kinds = diagrams.map((diagram) => diagram.trim().split(/\s/)[0]);
  assert.deepEqual(kinds, ["C4Context", "C4Container", "C4Component"]);
});

test("every component names code that exists", () => {
  const components = elements(diagrams[2]).filter((e) => e.kind === "Component");
  assert.ok(components.length >= 8, `${components.length} components`);
  for (const component of components) {
    assert.ok(existsSync(path.join(root, component.technology)), `${component.label}: ${component.technology} exists`);
  }
});

test("the event catalogue lists every event type of the codec", () => {
  const codec = readFileSync(path.join(root, "src/infra/store/event_codec.cpp"), "utf8");
  const types = new Set([...codec.matchAll(/"([a-z_]+\.v\d+)"/g)].map((match) => match[1]));
  assert.ok(types.size >= 8, `${types.size} types in the codec`);
  for (const type of types) assert.ok(document.includes("| `" + type + "` |"), `${type} is in the catalogue`);
});

test("each diagram renders, showing every element it declares", async () => {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.setContent("<!doctype html><html><body></body></html>");
    await page.addScriptTag({ path: path.join(root, "node_modules/mermaid/dist/mermaid.min.js") });
    for (const [index, diagram] of diagrams.entries()) {
      const rendered = await page.evaluate(async ({ text, id }) => {
        window.mermaid.initialize({ startOnLoad: false });
        try {
          const { svg } = await window.mermaid.render(id, text);
          const holder = document.createElement("div");
          holder.innerHTML = svg;
          document.body.appendChild(holder);
          return { svg, text: holder.textContent };
        } catch (error) {
          return { error: String(error?.message ?? error) };
        }
      }, { text: diagram, id: `diagram${index}` });
      assert.equal(rendered.error, undefined, `diagram ${index + 1} renders`);
      assert.match(rendered.svg, /^<svg/);
      // Long labels wrap into several lines: compared without white space.
      const shown = rendered.text.replace(/\s+/g, "");
      for (const { label } of elements(diagram)) {
        assert.ok(shown.includes(label.replace(/\s+/g, "")), `diagram ${index + 1} shows "${label}"`);
      }
    }
    // A broken diagram is an error, not an empty picture: the check above can fail.
    const broken = await page.evaluate(async () => {
      try {
        await window.mermaid.render("broken", "C4Context\n  Person(customer, \"unclosed)\n");
        return "rendered";
      } catch {
        return "refused";
      }
    });
    assert.equal(broken, "refused");
  } finally {
    await browser.close();
  }
});
