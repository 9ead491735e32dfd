import { sql, type Kysely } from 'kysely';

/**
 * A read-only role for analysts: it can read the `rm` read-model views (and
 * nothing else), including views created later when a projection switches builds.
 * Roles are cluster-wide and need CREATEROLE; without that privilege the
 * migration leaves a notice and the operator creates the role by hand (see
 * docs/READ_MODELS.md).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    DO $$
    BEGIN
      BEGIN
        CREATE ROLE ktv_analyst NOLOGIN;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END;
      EXECUTE format('GRANT CONNECT ON DATABASE %I TO ktv_analyst', current_database());
      GRANT USAGE ON SCHEMA rm TO ktv_analyst;
      GRANT SELECT ON ALL TABLES IN SCHEMA rm TO ktv_analyst;
      ALTER DEFAULT PRIVILEGES IN SCHEMA rm GRANT SELECT ON TABLES TO ktv_analyst;
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE NOTICE 'ktv_analyst not set up: this user may not create roles';
    END $$`.execute(db);
}
