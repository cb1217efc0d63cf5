// Load drill on PostgreSQL (skipped locally without TEST_POSTGRES_URL; CI runs it). A file of
// its own so CI runs it beside the SQLite one. The drill itself: test/helpers/load-drill.ts.
import { loadDrill } from '../../helpers/load-drill.ts';

loadDrill('postgresql');
