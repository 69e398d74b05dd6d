// Every built-in task kind: the worker bundle and the pool import this list, so a new method adds
// its kind here (one import of a module that calls registerTask) and never touches the pool.
import './selftest.js';
import './chain.js';
import './swag-member.js';
import './train-member.js';
import './band.js';
