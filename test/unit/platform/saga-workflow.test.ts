/** `-c sagaWorkflow=EXPRESS|STANDARD`: the order saga's workflow type, with a default per stage. */
import { describe, expect, it } from 'vitest';
import { stageFrom } from '../../../lib/platform/stage';

describe('the stage’s saga workflow', () => {
  it('defaults to EXPRESS in prod (the cheaper per order) and STANDARD in dev (each execution’s history)', () => {
    expect(stageFrom('prod').sagaWorkflow).toBe('EXPRESS');
    expect(stageFrom('dev').sagaWorkflow).toBe('STANDARD');
  });

  it('takes either type from context, in any case', () => {
    expect(stageFrom('dev', { sagaWorkflow: 'EXPRESS' }).sagaWorkflow).toBe('EXPRESS');
    expect(stageFrom('prod', { sagaWorkflow: 'standard' }).sagaWorkflow).toBe('STANDARD');
  });

  it('refuses anything else, naming the choices', () => {
    expect(() => stageFrom('dev', { sagaWorkflow: 'SYNC' })).toThrow(/sagaWorkflow must be EXPRESS or STANDARD/);
    expect(() => stageFrom('dev', { sagaWorkflow: 1 })).toThrow(/sagaWorkflow must be EXPRESS or STANDARD/);
  });
});
