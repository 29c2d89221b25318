// Recursion 10^6 deep: V8's stack must be sized from the memory limit.
function depth(n) { return n === 0 ? 0 : 1 + depth(n - 1); }
console.log(depth(parseInt(require('fs').readFileSync(0, 'utf8'))));
