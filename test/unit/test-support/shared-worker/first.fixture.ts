import { expectFreshStart } from './expect-fresh-start';

expectFreshStart();
