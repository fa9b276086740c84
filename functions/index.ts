// The single entry point of the function app ("main" in package.json): every registration, and
// the cold-start validation of the settings (a bad setting stops the host with its name).
import { validateConfigAtStartup } from './dependencies';
import './remoteTokenUse';
import './remoteTokenUseBackfill';
import './remoteTokenUseSweep';
import './serviceTagsRefresh';
import './tokenTheft';
import './tokenTheftSweep';
import './rejectsRetention';
import './stateRetention';

validateConfigAtStartup();
