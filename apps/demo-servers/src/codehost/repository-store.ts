/**
 * The codehost demo's repositories, held in memory for one process.
 *
 * `cloned` is the observable side effect of `clone_repository`: it flips only
 * when a clone runs to its last step, so a cancelled clone is visible as a
 * repository that stayed uncloned.
 */
export interface Repository {
  name: string;
  owner: string;
  description: string;
  visibility: 'public' | 'private';
  default_branch: string;
  cloned: boolean;
}

const SEED: ReadonlyArray<Omit<Repository, 'cloned' | 'default_branch'>> = [
  { name: 'payments-api', owner: 'acme', description: 'Card and invoice payments service', visibility: 'private' },
  { name: 'web-storefront', owner: 'acme', description: 'Customer-facing shop front end', visibility: 'private' },
  { name: 'infra-terraform', owner: 'acme', description: 'Terraform for production accounts', visibility: 'private' },
  { name: 'design-system', owner: 'acme', description: 'Shared UI components', visibility: 'public' },
  { name: 'ml-forecasting', owner: 'globex', description: 'Demand forecasting models', visibility: 'private' },
  { name: 'globex-cli', owner: 'globex', description: 'Internal developer CLI', visibility: 'public' },
  { name: 'docs-site', owner: 'initech', description: 'Public documentation site', visibility: 'public' },
  {
    name: 'legacy-billing',
    owner: 'initech',
    description: 'Billing monolith scheduled for retirement',
    visibility: 'private',
  },
];

export class RepositoryStore {
  private readonly repositories: Repository[] = SEED.map((seed) => ({
    ...seed,
    default_branch: 'main',
    cloned: false,
  }));

  list(owner?: string): Repository[] {
    return this.repositories.filter((repo) => owner === undefined || repo.owner === owner).map((repo) => ({ ...repo }));
  }

  find(name: string): Repository | undefined {
    const repo = this.repositories.find((candidate) => candidate.name === name);
    return repo === undefined ? undefined : { ...repo };
  }

  /** Returns the removed repository, or undefined when there was none by that name. */
  delete(name: string): Repository | undefined {
    const index = this.repositories.findIndex((repo) => repo.name === name);
    if (index === -1) return undefined;
    return this.repositories.splice(index, 1)[0];
  }

  markCloned(name: string): void {
    const repo = this.repositories.find((candidate) => candidate.name === name);
    if (repo !== undefined) repo.cloned = true;
  }
}
