#!/usr/bin/env node
// The previous release's scheduler and worker, built once and cached by commit, for the test
// that runs them against this release's schema (test/lifecycle/fleet-mixed-versions). The
// release is the commit named in .release/previous (the one place to bump at a release). Its
// tree comes from `git archive` (CI clones carry the history); node_modules are this checkout's,
// linked entry by entry, except @walbridge/*, which point into the old tree so that the old
// scheduler loads the old libs. Only the scheduler, the worker and their libs are compiled.
//
//   node tools/previous-release.mjs     build if needed, print the directory
//   WALBRIDGE_PREVIOUS_RELEASE_DIR      overrides the cache directory
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, printWhenRun } from './lib/workspace.mjs';


export function previousReleaseCommit() {
  const named = readFileSync(join(REPO_ROOT, '.release', 'previous'), 'utf8').trim();
  return execFileSync('git', ['-C', REPO_ROOT, 'rev-parse', '--verify', `${named}^{commit}`], { encoding: 'utf8' }).trim();
}

export function ensurePreviousRelease({ log = () => undefined } = {}) {
  const commit = previousReleaseCommit();
  const dir = process.env.WALBRIDGE_PREVIOUS_RELEASE_DIR ?? join(homedir(), '.cache', 'walbridge', `release-${commit.slice(0, 12)}`);
  if (existsSync(join(dir, '.built'))) {
    // Built from another checkout (the cache is per user): link this checkout's node_modules.
    if (readlinkSync(join(dir, 'node_modules', 'typescript')) !== join(REPO_ROOT, 'node_modules', 'typescript')) {
      const relinked = join(dir, `node_modules.tmp-${process.pid}`);
      linkModules(relinked);
      rmSync(join(dir, 'node_modules'), { recursive: true, force: true });
      renameSync(relinked, join(dir, 'node_modules'));
    }
    return dir;
  }
  const started = Date.now();
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const archive = spawnSync('sh', ['-c', `git -C "${REPO_ROOT}" archive ${commit} | tar -x -C "${tmp}"`], { encoding: 'utf8' });
  if (archive.status !== 0) throw new Error(`git archive ${commit}: ${archive.stderr}`);
  linkModules(join(tmp, 'node_modules'));
  const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const build = spawnSync(process.execPath, [tsc, '-b', 'apps/scheduler', 'apps/worker'], { cwd: tmp, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`building the previous release ${commit.slice(0, 12)}: ${build.stdout}${build.stderr}`);
  writeFileSync(join(tmp, '.built'), `${commit}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  log(`previous release ${commit.slice(0, 12)} built in ${((Date.now() - started) / 1000).toFixed(0)} s: ${dir}`);
  return dir;
}

/** `target` as a node_modules of the old tree: this checkout's packages, the old tree's own @walbridge/*. */
function linkModules(target) {
  const modules = join(REPO_ROOT, 'node_modules');
  mkdirSync(join(target, '@walbridge'), { recursive: true });
  for (const entry of readdirSync(modules)) {
    if (entry !== '@walbridge') symlinkSync(join(modules, entry), join(target, entry));
  }
  // Workspace links are relative (../../libs/x): the same link in the old tree names the old lib.
  for (const entry of readdirSync(join(modules, '@walbridge'))) {
    symlinkSync(readlinkSync(join(modules, '@walbridge', entry)), join(target, '@walbridge', entry));
  }
}

printWhenRun(import.meta.url, () => ensurePreviousRelease({ log: (m) => console.error(m) }));
