// Following a task's events over /ws/executions/{id} (docs/events.md): every event once,
// in order, across dropped connections — reconnect with ?last_event_id=<last applied>,
// and drop anything not newer than it (ids are "<ms>-<seq>", increasing per task).

function compareIds(a, b) {
  const [am, as] = a.split("-").map(BigInt);
  const [bm, bs] = b.split("-").map(BigInt);
  if (am !== bm) return am < bm ? -1 : 1;
  if (as !== bs) return as < bs ? -1 : 1;
  return 0;
}

const FINAL = new Set([1000, 4404]); // the task is finished and all was sent, or no such task

export class TaskFollower {
  constructor(path, { onEvent, onState } = {}) {
    this.path = path; // e.g. /ws/executions/<id> or /ws/generation/<id>
    this.onEvent = onEvent;
    this.onState = onState || (() => {});
    this.lastId = null;
    this.closed = false;
    this.attempt = 0;
    this.socket = null;
  }

  url() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const resume = this.lastId ? `?last_event_id=${encodeURIComponent(this.lastId)}` : "";
    return `${scheme}://${location.host}${this.path}${resume}`;
  }

  start() {
    if (this.closed) return;
    this.onState(this.attempt ? "reconnecting" : "connecting");
    const socket = new WebSocket(this.url());
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.onState("live");
    });
    socket.addEventListener("message", (message) => {
      let event;
      try {
        event = JSON.parse(message.data);
      } catch {
        return;
      }
      if (event.id && this.lastId && compareIds(event.id, this.lastId) <= 0) return; // seen
      this.attempt = 0;
      if (event.id) this.lastId = event.id;
      this.onEvent(event);
    });
    socket.addEventListener("close", (close) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.closed) return;
      if (FINAL.has(close.code)) {
        this.closed = true;
        this.onState(close.code === 4404 ? "gone" : "finished");
        return;
      }
      if (close.code === 4400) this.lastId = null; // our resume point is unknown: start over, dedup by id fails open
      this.attempt += 1;
      const delay = Math.min(8000, 250 * 2 ** Math.min(this.attempt, 5)) * (0.5 + Math.random() / 2);
      this.onState("reconnecting");
      this.timer = setTimeout(() => this.start(), delay);
    });
  }

  // For tests and for "the network dropped": close the socket as a network failure would.
  drop() {
    this.socket?.close(4000, "dropped by the page");
  }

  stop() {
    this.closed = true;
    clearTimeout(this.timer);
    this.socket?.close(1000);
  }
}
