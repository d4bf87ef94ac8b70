/** Module-level state, as a handler's configuration or client is: what a file may change. */
export const state = { loads: 0, calls: 0 };
state.loads += 1;
