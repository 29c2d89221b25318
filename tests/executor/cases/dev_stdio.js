// The common Node idiom on Baekjoon-style judges: read /dev/stdin, write /dev/stdout.
const fs = require('fs');
const [a, b] = fs.readFileSync('/dev/stdin').toString().trim().split(/\s+/).map(Number);
fs.writeFileSync('/dev/stdout', `${a + b}\n`);
