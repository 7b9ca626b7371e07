/**
 * docker/Dockerfile as data (parsed by dockerfile-ast, the parser of the VS Code Docker extension's
 * language server): its stages, and what a target inherits from the stages it is built FROM.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockerfileParser, type Copy, type Env, type Healthcheck, type Instruction, type JSONInstruction } from 'dockerfile-ast';

export const DOCKERFILE = join(__dirname, '../../../docker/Dockerfile');

export interface Step {
  keyword: string;
  /** Everything after the keyword and its --flags. */
  args: string;
  flags: Record<string, string | null>;
  line: number;
  instruction: Instruction;
}

export interface Stage {
  name: string;
  /** The FROM image with ARG defaults substituted, or the parent stage's name. */
  from: string;
  parent?: Stage;
  steps: Step[];
}

export interface Effective {
  user?: string;
  workdir?: string;
  env: Record<string, string>;
  entrypoint?: string[];
  cmd?: string[];
  /** The exec-form command, or 'NONE'. */
  healthcheck?: string[] | 'NONE';
  healthcheckFlags: Record<string, string | null>;
  expose: number[];
}

export function parseDockerfile(file = DOCKERFILE): { text: string; stages: Stage[] } {
  const text = readFileSync(file, 'utf8');
  const dockerfile = DockerfileParser.parse(text);
  const stages: Stage[] = [];
  for (const from of dockerfile.getFROMs()) {
    const line = from.getRange().start.line;
    const image = (from.getImage() ?? '').replace(
      /\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g,
      (_m, name: string) => dockerfile.resolveVariable(name, line) ?? '',
    );
    const parent = stages.find((s) => s.name === image);
    stages.push({ name: from.getBuildStage() ?? String(stages.length), from: image, parent, steps: [] });
  }
  let current = -1;
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    if (keyword === 'FROM') current++;
    if (current < 0) continue;
    const flags: Record<string, string | null> = {};
    const withFlags = instruction as unknown as { getFlags?: () => Array<{ getName(): string; getValue(): string | null }> };
    for (const flag of withFlags.getFlags?.() ?? []) flags[flag.getName()] = flag.getValue();
    const content = instruction.getArgumentsContent() ?? '';
    const args = content.replace(/^(--\S+\s+)+/, '');
    stages[current].steps.push({ keyword, args, flags, line: instruction.getRange().start.line + 1, instruction });
  }
  return { text, stages };
}

const jsonArgs = (step: Step): string[] | undefined => {
  const strings = (step.instruction as JSONInstruction).getJSONStrings?.() ?? [];
  return strings.length ? strings.map((s) => s.getJSONValue()) : undefined;
};

/** What a stage ends up with, following FROM <stage> links (later instructions win). */
export function effective(stage: Stage): Effective {
  const chain: Stage[] = [];
  for (let s: Stage | undefined = stage; s; s = s.parent) chain.unshift(s);
  const out: Effective = { env: {}, expose: [], healthcheckFlags: {} };
  for (const step of chain.flatMap((s) => s.steps)) {
    switch (step.keyword) {
      case 'USER':
        out.user = step.args.trim();
        break;
      case 'WORKDIR':
        out.workdir = step.args.trim();
        break;
      case 'ENV':
        for (const p of (step.instruction as Env).getProperties()) out.env[p.getName()] = p.getValue() ?? '';
        break;
      case 'ENTRYPOINT':
        out.entrypoint = jsonArgs(step);
        break;
      case 'CMD':
        out.cmd = jsonArgs(step);
        break;
      case 'EXPOSE':
        out.expose.push(...step.args.split(/\s+/).map((p) => Number.parseInt(p, 10)));
        break;
      case 'HEALTHCHECK': {
        const sub = (step.instruction as Healthcheck).getSubcommand()?.getValue();
        if (sub === 'NONE') out.healthcheck = 'NONE';
        else out.healthcheck = JSON.parse(step.args.replace(/^CMD\s+/, '')) as string[];
        out.healthcheckFlags = step.flags;
        break;
      }
    }
  }
  return out;
}

/** Stages copied from by `COPY --from=` in a stage. */
export function copiesFrom(stage: Stage): Array<{ from: string | null; args: string }> {
  return stage.steps
    .filter((s) => s.keyword === 'COPY')
    .map((s) => ({ from: (s.instruction as Copy).getFromFlag()?.getValue() ?? null, args: s.args }));
}

export const runCommands = (stage: Stage): string[] => stage.steps.filter((s) => s.keyword === 'RUN').map((s) => s.args);
