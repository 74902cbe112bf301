// The embed and the post page in a real browser. A data folder is seeded through the inbox's own import
// functions (tests/browser/seed_thread.cpp), the real `fedblog serve` runs on a loopback port, and a static
// "host" blog is served from another origin (a second loopback port) with the embed in it. Debian's
// chromium, driven by playwright-core, then checks that the thread shows, nested and escaped, and that
// nothing from the hostile comment ran — on the host page or in the frame. Screenshots of the post page go
// to --out.
//
//   node embed.test.mjs --fedblog build/fedblog --seed build/tests/browser/seed_thread --out build/browser
//
// Exit 0: passed; 1: failed; 77: skipped because chromium is not installed (ctest shows it as skipped).
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";

process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = "1"; // only Debian's chromium is ever used

const options = {};
for (let i = 2; i < process.argv.length; i += 2) options[process.argv[i].replace(/^--/, "")] = process.argv[i + 1];
for (const required of ["fedblog", "seed", "out"])
  if (!options[required]) {
    console.error(`usage: node embed.test.mjs --fedblog <binary> --seed <seed_thread> --out <dir> (missing --${required})`);
    process.exit(1);
  }

const chromiumPath = process.env.FEDBLOG_CHROMIUM || "/usr/bin/chromium";
if (!existsSync(chromiumPath)) {
  console.log(`SKIPPED: no chromium at ${chromiumPath} (apt-get install chromium, or set FEDBLOG_CHROMIUM)`);
  process.exit(77);
}
let chromium;
try {
  ({ chromium } = await import("playwright-core"));
} catch (error) {
  console.error("playwright-core is missing: run `npm ci --prefix tests/browser` (" + error.message + ")");
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------------------
// Small helpers

const failures = [];
function check(condition, message) {
  if (condition) console.log("  ok   " + message);
  else {
    console.log("  FAIL " + message);
    failures.push(message);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url, child, deadlineMs) {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`fedblog exited with ${child.exitCode} before answering`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("fedblog did not answer " + url);
}

// A real PNG (64×48, a red cargo bike's red), so the thumbnail has something to load.
function png(width, height) {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes) => {
    let c = 0xffffffff;
    for (const b of bytes) c = table[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) rows.set([200, 40 + y * 2, 30 + x], y * (width * 3 + 1) + 1 + x * 3);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", zlib.deflateSync(rows)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

// ---------------------------------------------------------------------------------------------------------
// The two origins

const work = mkdtempSync(path.join(os.tmpdir(), "fedblog-browser-"));
const children = [];
const servers = [];
let context;
async function cleanUp() {
  if (context) await context.close().catch(() => {});
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  for (const server of servers) server.close();
  rmSync(work, { recursive: true, force: true });
}

try {
  const blogPort = await freePort();
  const blog = `http://127.0.0.1:${blogPort}`;
  const imageRequests = [];
  const host = http.createServer((request, response) => {
    if (request.url === "/cargo.png") {
      imageRequests.push(request.headers);
      response.writeHead(200, { "Content-Type": "image/png" });
      return response.end(png(64, 48));
    }
    if (request.url === "/") {
      response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
      return response.end(`<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Un blog statique</title></head>
<body>
<h1>Un blog Hugo quelque part</h1>
<p id="secret">Le contenu de la page hôte.</p>
<div data-fedblog-comments="${blog}/posts/atelier"></div>
<script src="${blog}/embed.js" async></script>
</body></html>`);
    }
    response.writeHead(404).end();
  });
  servers.push(host);
  await new Promise((resolve) => host.listen(0, "127.0.0.1", resolve));
  const hostOrigin = `http://127.0.0.1:${host.address().port}`;

  const content = path.join(work, "content");
  const data = path.join(work, "data");
  mkdirSync(content);
  writeFileSync(
    path.join(content, "atelier.md"),
    `---
title: "L'atelier du jeudi"
date: 2026-11-19 18:00
slug: atelier
summary: "Compte rendu de l'atelier vélo."
---

Nous avons réparé douze vélos ce jeudi, et la discussion a continué sur le fédivers.
`,
  );
  execFileSync(options.seed, [data, content, blog, `${hostOrigin}/cargo.png`], { stdio: ["ignore", "pipe", "inherit"] });

  const serve = spawn(
    options.fedblog,
    ["serve", "--data-dir", data, "--content-dir", content, "--public-url", blog, "--listen", `127.0.0.1:${blogPort}`,
     "--log-level", "warn"],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  children.push(serve);
  await waitForHealth(`${blog}/healthz`, serve, 15000);

  // -------------------------------------------------------------------------------------------------------
  // The browser: Debian's chromium, a fresh profile, nothing fetched in the background.
  const profile = path.join(work, "profile");
  context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 900, height: 900 },
  });
  const dialogs = [];
  const consoleMessages = [];
  const pageErrors = [];
  const navigations = []; // every document any page or frame of the context loads
  const watch = (page) => {
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      dialog.dismiss().catch(() => {});
    });
    page.on("console", (message) => consoleMessages.push(`${message.type()}: ${message.text()}`));
    page.on("pageerror", (error) => pageErrors.push(String(error)));
  };
  context.on("request", (request) => {
    if (request.isNavigationRequest()) navigations.push(request.url());
  });

  // -------------------------------------------------------------------------------------------------------
  console.log(`host page ${hostOrigin}/ embedding ${blog}/posts/atelier`);
  const page = context.pages()[0] || (await context.newPage());
  watch(page);
  await page.goto(`${hostOrigin}/`, { waitUntil: "load" });
  const iframe = await page.waitForSelector("[data-fedblog-comments] iframe", { timeout: 10000 });
  check((await iframe.getAttribute("src")) === `${blog}/embed/atelier`, "embed.js placed an iframe of /embed/atelier");
  check((await iframe.getAttribute("sandbox")) === "allow-scripts allow-popups allow-popups-to-escape-sandbox",
        "the iframe is sandboxed without allow-same-origin, top navigation or dialogs");
  const frame = await iframe.contentFrame();
  await frame.waitForSelector(".thread", { timeout: 10000 });

  // The frame reports its height; the loader sizes the iframe to it.
  await page.waitForFunction(() => {
    const f = document.querySelector("[data-fedblog-comments] iframe");
    return f && f.style.height.endsWith("px") && parseInt(f.style.height, 10) > 400;
  }, null, { timeout: 10000 }).catch(() => {});
  const sized = await iframe.evaluate((f) => parseInt(f.style.height, 10));
  const frameHeight = await frame.evaluate(() => document.documentElement.scrollHeight);
  check(Math.abs(sized - frameHeight) <= 2, `the iframe is sized to its content (${sized}px for ${frameHeight}px)`);

  const threadText = await frame.locator(".thread").innerText();
  for (const expected of ["Merci pour ce compte rendu", "belle soirée (corrigé)", "Merci pour l’avertissement",
                          "La réponse reste.", "Ce commentaire a été supprimé.", "Alice Martin 🚲", "@bob@m.example"])
    check(threadText.includes(expected), `the thread shows "${expected}"`);
  for (const hidden of ["En attente de modération", "Message privé", "Je vais supprimer ceci", "belle soirée."])
    check(!threadText.includes(hidden), `the thread does not show "${hidden}"`);
  check(await frame.locator("text=(modifié)").count() === 1, "the edited comment is marked as edited");

  // Nesting: the depth-4 answer sits in four nested lists.
  const depth = await frame.evaluate(() => {
    const article = [...document.querySelectorAll("article.comment")].find((a) =>
      a.textContent.includes("Merci pour l’avertissement"));
    let lists = 0;
    for (let node = article; node; node = node.parentElement) if (node.tagName === "OL") lists++;
    return lists;
  });
  check(depth === 4, `the depth-4 answer is nested four lists deep (found ${depth})`);

  // The content warning folds the text and the image until the reader opens it.
  const warning = frame.locator("details.warning");
  check(await warning.count() === 1, "one comment is folded behind its warning");
  check((await warning.locator("summary").innerText()) === "Divulgâcheur", "the fold is labelled with the warning");
  check(!(await frame.locator("text=le vélo cargo gagne").isVisible()), "the warned text is hidden at first");
  check(!(await warning.locator("img").isVisible()), "the warned image is hidden at first");
  await warning.locator("summary").click();
  check(await frame.locator("text=le vélo cargo gagne").isVisible(), "opening the warning shows the text");
  const image = warning.locator(".attachments img");
  await image.waitFor({ state: "visible" });
  await frame.waitForFunction(() => document.querySelector("details.warning img").complete);
  check(await image.evaluate((img) => img.naturalWidth === 64 && img.alt === "Un vélo cargo rouge"),
        "the attachment is a thumbnail loaded from its origin, with its description as alt");
  check(imageRequests.length > 0 && imageRequests.every((h) => !h.referer),
        "the thumbnail is fetched from its origin without a Referer");

  // Mentions and hashtags are links, with Mastodon's classes kept.
  check(await frame.locator("a.mention.hashtag[href='https://m.example/tags/velo']").count() === 1, "the hashtag is a link");
  check(await frame.locator(`.h-card a.u-url.mention[href='${blog}/@blog']`).count() === 1, "the mention is a link");

  // The hostile comment: shown as text, its markup gone.
  const hostile = frame.locator("article.comment", { hasText: "Hostile" });
  const hostileText = await hostile.innerText();
  check(hostileText.includes("<b>pas gras</b>"), "escaped markup in a comment shows as text");
  check(hostileText.includes("<img src=x onerror=\"window.__fedblogPwned='name'\">Mallory"),
        "a hostile display name shows as text");
  check(hostileText.includes("clique-moi") && hostileText.includes("lien sûr"), "the hostile comment's words stay");
  const inspection = await frame.evaluate(() => {
    const thread = document.querySelector(".thread");
    const bad = [];
    for (const element of thread.querySelectorAll("*")) {
      const tag = element.tagName.toLowerCase();
      if (["script", "style", "svg", "math", "iframe", "form", "button", "object", "embed", "video", "audio"].includes(tag))
        bad.push("element " + tag);
      if (tag === "img" && !element.closest(".attachments")) bad.push("img outside attachments");
      for (const attribute of element.attributes) {
        if (attribute.name.startsWith("on") || attribute.name === "style") bad.push(`${tag}[${attribute.name}]`);
        if (["href", "src"].includes(attribute.name) && !/^https?:\/\//.test(attribute.value))
          bad.push(`${tag}[${attribute.name}=${attribute.value}]`);
      }
    }
    return bad;
  });
  check(inspection.length === 0, "no script, svg, iframe, form, handler, style or non-http URL in the thread" +
        (inspection.length ? ": " + inspection.join(", ") : ""));
  check(await frame.evaluate(() => getComputedStyle(document.querySelector(".thread")).listStyleType === "none"),
        "the frame's stylesheet applies under its CSP");

  // The safe link opens outside the frame (a new page), and the frame stays where it was.
  const opened = context.waitForEvent("page", { timeout: 5000 });
  await hostile.locator("a", { hasText: "lien sûr" }).click();
  await opened;
  await page.waitForTimeout(300);
  check(navigations.includes("https://ok.example/"), "a comment's link opens in a new page");
  check(frame.url() === `${blog}/embed/atelier` && page.url() === `${hostOrigin}/`, "the frame and the host page stay put");

  // The API from the host's origin: CORS, and a preflighted revalidation answered 304.
  const api = await page.evaluate(async (url) => {
    const first = await fetch(url);
    const body = await first.json();
    const etag = first.headers.get("ETag");
    const again = await fetch(url, { headers: { "If-None-Match": etag } });
    return { status: first.status, body, etag, revalidated: again.status };
  }, `${blog}/api/posts/atelier/comments`);
  check(api.status === 200 && api.body.counts.comments === 6 && api.body.counts.likes === 2 && api.body.counts.shares === 1,
        "the JSON API answers another origin with the counts");
  check(api.body.comments.length === 7 && api.body.comments.filter((c) => c.deleted).length === 1,
        "the API lists the six shown comments and the placeholder that holds an answer");
  check(typeof api.etag === "string" && api.revalidated === 304, "a preflighted If-None-Match gets 304");

  // Nothing ran: not on the host page, not in the frame.
  const hostFlag = await page.evaluate(() => window.__fedblogPwned);
  const frameFlags = await Promise.all(page.frames().map((f) => f.evaluate(() => window.__fedblogPwned).catch(() => "unreadable")));
  check(hostFlag === undefined, "nothing from the comments ran on the host page");
  check(frameFlags.every((flag) => flag === undefined), `nothing ran in any frame (${JSON.stringify(frameFlags)})`);
  check(dialogs.length === 0, "no dialog opened" + (dialogs.length ? ": " + dialogs.join(", ") : ""));
  check(pageErrors.length === 0, "no script error" + (pageErrors.length ? ": " + pageErrors.join(", ") : ""));
  const cspReports = consoleMessages.filter((m) => /Content Security Policy|Refused to/i.test(m));
  check(cspReports.length === 0, "no CSP violation was even attempted" + (cspReports.length ? ": " + cspReports.join(" | ") : ""));
  check(await page.locator("#secret").innerText() === "Le contenu de la page hôte.", "the host page is untouched");
  check(navigations.every((url) => /^https?:\/\//.test(url)), "only http(s) documents were ever loaded: " + navigations.join(", "));

  // -------------------------------------------------------------------------------------------------------
  console.log(`post page ${blog}/posts/atelier`);
  const post = await context.newPage();
  watch(post);
  await post.goto(`${blog}/posts/atelier`, { waitUntil: "load" });
  const postThread = await post.locator(".thread").innerText();
  check(postThread.includes("belle soirée (corrigé)") && postThread.includes("(modifié)"), "the post page shows the edit");
  check(postThread.includes("<b>pas gras</b>"), "the post page shows hostile markup as text");
  check(await post.locator(".thread details.warning:not([open])").count() === 1, "the post page folds the warned comment");
  check(await post.evaluate(() => window.__fedblogPwned) === undefined, "nothing ran on the post page");
  options.out = path.resolve(options.out);
  mkdirSync(options.out, { recursive: true });
  const folded = path.join(options.out, "post-page.png");
  await post.screenshot({ path: folded, fullPage: true });
  await post.locator("details.warning summary").click();
  await post.waitForFunction(() => document.querySelector("details.warning img").complete);
  const unfolded = path.join(options.out, "post-page-warning-open.png");
  await post.screenshot({ path: unfolded, fullPage: true });
  const embedShot = path.join(options.out, "embed-host-page.png");
  await page.screenshot({ path: embedShot, fullPage: true });
  console.log(`screenshots: ${folded}\n             ${unfolded}\n             ${embedShot}`);
  check(dialogs.length === 0 && pageErrors.length === 0, "still no dialog and no script error");
  const laterReports = consoleMessages.filter((m) => /Content Security Policy|Refused to/i.test(m));
  check(laterReports.length === 0, "no script was even attempted on the post page" +
        (laterReports.length ? ": " + laterReports.join(" | ") : ""));
} catch (error) {
  failures.push(String(error && error.stack ? error.stack : error));
  console.log("  FAIL " + failures[failures.length - 1]);
} finally {
  await cleanUp();
}

if (failures.length) {
  console.log(`${failures.length} check(s) failed`);
  process.exit(1);
}
console.log("all browser checks passed");
