// The page shown once the account is being deleted: texts only, no session left.
import { init } from '../../common/i18n.js';

init();
