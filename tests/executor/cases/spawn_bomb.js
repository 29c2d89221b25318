// Spawns children until the process limit answers EAGAIN (an unhandled error: RE).
const cp = require('child_process');
for (let i = 0; i < 5000; i++) cp.spawn('/bin/sleep', ['100']);
