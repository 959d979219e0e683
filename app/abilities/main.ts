/*
| Confab authorizes through policies (app/policies); there are no standalone abilities yet.
*/
export {}
