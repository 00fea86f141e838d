import type { PhaseTiming } from './checkout-workload.ts';

const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 1)} ms`;

/** The in-process breakdown (timeCheckoutInProcess): wall time, Node CPU and the SQL statements of each phase. */
export function printPhaseTimings(timings: PhaseTiming[], say: (line: string) => void): void {
  for (const phase of timings) {
    say(`    ${phase.name}: mean ${ms(phase.wall.mean)} (p50 ${ms(phase.wall.p50)}, p99 ${ms(phase.wall.p99)}) over ${phase.ops}; Node CPU ${ms(phase.cpuMsPerOp)} each`);
    say(
      `      ${phase.statementsPerOp.toFixed(1)} SQL statements${phase.name.startsWith('confirm') ? ' (+ BEGIN, COMMIT)' : ''}, ${ms(phase.sqlMsPerOp)} summed from compile to result` +
        ' (statements run at once add up past the wall time)',
    );
    for (const statement of phase.statements.slice(0, 12)) {
      say(`        ${statement.label.padEnd(40)} ${statement.perOp.toFixed(2).padStart(6)} × ${ms(statement.msPerOp / statement.perOp).padStart(9)} = ${ms(statement.msPerOp).padStart(9)}`);
    }
  }
}
