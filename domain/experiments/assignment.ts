import { crc32 } from 'node:zlib';
import type { ExperimentArm } from '../../src/events/experiments.js';

/** Users are hashed into this many buckets; arms own contiguous ranges of them in proportion to their weights. */
export const BUCKETS = 10_000;

/**
 * The bucket of a user in an experiment: CRC32 of `experimentId:userId`. The
 * experiment id is part of the key so one user lands in unrelated buckets in
 * different experiments (otherwise every experiment's first arm would get the
 * same users).
 */
export function bucketOf(experimentId: string, userId: string): number {
  return crc32(`${experimentId}:${userId}`) % BUCKETS;
}

/**
 * The arms' bucket ranges: each arm gets `round(cumulative weight share × BUCKETS)`
 * as its upper bound, so the ranges tile [0, BUCKETS) with no gap whatever the
 * weights, and the last arm ends exactly at BUCKETS.
 */
export function bucketBounds(arms: readonly ExperimentArm[]): number[] {
  const total = arms.reduce((s, a) => s + a.weight, 0);
  let cumulative = 0;
  return arms.map((a, i) => {
    cumulative += a.weight;
    return i === arms.length - 1 ? BUCKETS : Math.round((cumulative / total) * BUCKETS);
  });
}

/** The arm a user is in: stable for the experiment's life, because neither the arms nor the hash ever change. */
export function assignArm(experimentId: string, arms: readonly ExperimentArm[], userId: string): ExperimentArm {
  const bucket = bucketOf(experimentId, userId);
  const bounds = bucketBounds(arms);
  const index = bounds.findIndex((upper) => bucket < upper);
  const arm = arms[index];
  if (!arm) throw new Error('an experiment without arms');
  return arm;
}
