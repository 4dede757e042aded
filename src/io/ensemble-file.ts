/**
 * Ensembles in the model file: the file's own weights are member 0, and the other members' weights
 * and state sit in `training.ensembleMembers` (base64, like the main weights). One format for the
 * estimators and the command.
 */

import { Model } from '../graph/model.js';
import { Ensemble } from '../train/ensemble.js';
import { decodeFloats, encodeFloats } from './base64.js';
import type { JsonObject } from './json-check.js';
import { checkBuiltModel, checkFiniteValues } from './model-checks.js';
import { modelFromFile, type ModelFile, type ModelFromFileOptions } from './model-file.js';

/** Members 1… of an ensemble as JSON, for `training.ensembleMembers` (member 0 is the file's model). */
export function ensembleMembersJson(e: Ensemble): JsonObject[] {
  return e.members.slice(1).map((m) => ({ weights: encodeFloats(m.getWeights(), m.dtype), state: encodeFloats(m.getState(), m.dtype) }));
}

/** Number of networks a model file holds (1 unless it is an ensemble). */
export function ensembleSize(file: ModelFile): number {
  const members = file.training?.ensembleMembers;
  return Array.isArray(members) ? members.length + 1 : 1;
}

/** The model of a file, or the ensemble it holds; errors name the field. */
export function predictorFromFile(file: ModelFile, options: ModelFromFileOptions = {}): Model | Ensemble {
  const model = modelFromFile(file, options);
  const members: unknown = file.training?.ensembleMembers ?? [];
  if (!Array.isArray(members)) throw new Error(`${options.source ?? 'model file'}: $.training.ensembleMembers must be an array`);
  if (members.length === 0) return model;
  const all = [model, ...members.map((m: unknown, i) => {
    const where = `$.training.ensembleMembers[${i}]`;
    if (typeof m !== 'object' || m === null) throw new Error(`${options.source ?? 'model file'}: ${where} must be an object`);
    const { weights, state } = m as { weights?: unknown; state?: unknown };
    if (typeof weights !== 'string' || typeof state !== 'string') throw new Error(`${options.source ?? 'model file'}: ${where} needs base64 strings 'weights' and 'state'`);
    const mm = new Model(file.spec, options.backend === undefined ? {} : { backend: options.backend });
    const source = options.source === undefined ? '' : `${options.source}: `;
    const w = decodeFloats(weights, mm.dtype, `${source}${where}.weights`);
    const s = decodeFloats(state, mm.dtype, `${source}${where}.state`);
    if (w.length !== mm.parameterCount) throw new Error(`${source}${where}.weights: the spec has ${mm.parameterCount} parameters, this member holds ${w.length}`);
    if (s.length !== mm.getState().length) throw new Error(`${source}${where}.state: the spec has ${mm.getState().length} state values, this member holds ${s.length}`);
    try {
      checkFiniteValues(w, `${where}.weights`);
      checkFiniteValues(s, `${where}.state`);
    } catch (e) {
      throw new Error(`${source}${(e as Error).message}`);
    }
    mm.setWeights(w);
    mm.setState(s);
    checkBuiltModel(mm, source, `${where}.state`);
    return mm;
  })];
  return new Ensemble(all);
}
