// Load drill on SQLite, the default store: 1,000 concurrent chat messages, then 1,000
// concurrent device provisions, against one server. The drill itself: test/helpers/load-drill.ts.
import { loadDrill } from '../../helpers/load-drill.ts';

loadDrill('sqlite');
