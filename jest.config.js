// Jest runs the JavaScript that `tsc` emitted into build/ (no transform): the
// TypeScript compiler is the only type checker, and the same files run on the
// host and inside the User-Mode Linux kernel, where a lighter start-up matters.
const kernel = process.env.KIPVS_KERNEL_TESTS === '1';

export default {
  rootDir: 'build',
  testEnvironment: 'node',
  transform: {},
  testMatch: kernel ? ['<rootDir>/test/kernel/**/*.test.js'] : ['<rootDir>/test/unit/**/*.test.js'],
  testTimeout: kernel ? 600_000 : 30_000,
  // Kernel tests share one kernel: run them one file at a time.
  maxWorkers: kernel ? 1 : '50%',
};
