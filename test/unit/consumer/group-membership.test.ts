// The group's pure decisions: which topics are subscribed, and when a member's assignment is the whole story.

import { expect, test } from 'vitest';
import { aloneInGroup, matchingTopicNames } from '../../../consumer/group-membership.ts';

test('topics matching the pattern, sorted, without internal ones', () => {
  const pattern = /^shop\.[^_]/;
  expect(
    matchingTopicNames(
      ['shop.public.orders', 'shop._schemas', 'shop.public._tmp', 'other.public.x', 'shop.public.customers'],
      pattern,
    ),
  ).toEqual(['shop.public.customers', 'shop.public.orders']);
});

test('alone: the only member of a stable group, holding every partition', () => {
  const member = { memberId: 'm' } as never;
  expect(aloneInGroup({ state: 'Stable', members: [member] }, 6, 6)).toBe(true);
  expect(aloneInGroup({ state: 'Stable', members: [] }, 6, 6)).toBe(true);
  expect(aloneInGroup({ state: 'PreparingRebalance', members: [member] }, 6, 6)).toBe(false);
  expect(aloneInGroup({ state: 'Stable', members: [member, member] }, 6, 6)).toBe(false);
  expect(aloneInGroup({ state: 'Stable', members: [member] }, 3, 6)).toBe(false);
  expect(aloneInGroup(undefined, 6, 6)).toBe(false);
});
