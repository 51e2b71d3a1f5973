import { shareUndiciDispatcherWithJest } from '@switchboard/testing';

// @google/genai needs Undici's global dispatcher visible inside jest's sandbox (see libs/testing).
shareUndiciDispatcherWithJest();
