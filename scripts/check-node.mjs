// Fails clearly when the project runs on a Node older than 22 (the `node` devDependency normally
// puts Node 22 first on PATH for every npm script; an install that skipped scripts would not).
const [major] = process.versions.node.split(".").map(Number);
if (major < 22) {
  console.error(
    `Stepgate needs Node >= 22 (found ${process.versions.node}).\n` +
      "Run `npm install` with install scripts enabled (the `node` devDependency provides Node 22),\n" +
      "or install Node 22 or 24 yourself.",
  );
  process.exit(1);
}
