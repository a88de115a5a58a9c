import { isRouteErrorResponse, Link, useRouteError } from 'react-router-dom';

/** Last resort for a render error, so one broken page does not blank the whole console. */
export function RouteErrorPage() {
  const error = useRouteError();
  const message = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : error instanceof Error
      ? error.message
      : 'Unknown error';
  return (
    <main className="app-main" id="main">
      <section className="page">
        <h1>Something went wrong</h1>
        <p className="panel panel--error" role="alert">
          {message}
        </p>
        <p>
          <Link to="/tasks">Back to the task list</Link>
        </p>
      </section>
    </main>
  );
}
