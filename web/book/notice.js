// notice — the 404 and 410 pages of /b/{slug}: only their language.
import { init } from '../common/i18n.js';

init();
