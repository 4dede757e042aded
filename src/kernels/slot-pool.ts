/**
 * Slots given back to an arena (Arena.free), kept by length for the next alloc of that length. The arenas
 * are bump allocators — a slot never moves, and the memory behind it is never returned — so without this
 * every fit on one model left its optimizer's moments and its kept weights behind: 200 fits of a
 * 5,633-parameter model grew its arena from 2.6 to 21 MB.
 */

import type { Slot } from './backend.js';

export class SlotPool<S extends Slot> {
  private readonly byLength = new Map<number, S[]>();
  private readonly mine = new WeakSet<Slot>();
  private readonly idle = new WeakSet<Slot>();

  /** A slot alloc has just handed out (the only kind free takes). */
  track(slot: S): S {
    this.mine.add(slot);
    return slot;
  }

  /** A given-back slot of exactly `length` elements, zeroed, or undefined. */
  take(length: number): S | undefined {
    const slot = this.byLength.get(length)?.pop();
    if (slot === undefined) return undefined;
    this.idle.delete(slot);
    slot.a.fill(0);
    return slot;
  }

  give(slot: Slot): void {
    if (!this.mine.has(slot)) throw new Error('arena: free takes a slot this arena\'s alloc handed out (not a sub-slot, not another arena\'s)');
    if (this.idle.has(slot)) throw new Error('arena: a slot was freed twice');
    this.idle.add(slot);
    const list = this.byLength.get(slot.length);
    if (list === undefined) this.byLength.set(slot.length, [slot as S]);
    else list.push(slot as S);
  }
}
