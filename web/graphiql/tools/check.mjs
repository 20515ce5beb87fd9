// Fails the build when the bundle would load anything from another host: the page must work
// offline, from the kith binary alone.
import { readFileSync } from 'node:fs';

for (const f of ['dist/app.js', 'dist/app.css']) {
  const text = readFileSync(f, 'utf8');
  const found = text.match(/(?:@import|url\()\s*['"]?https?:\/\/[^'")\s]+/g);
  if (found) {
    console.error(`${f} loads from other hosts: ${found.join(', ')}`);
    process.exit(1);
  }
}
