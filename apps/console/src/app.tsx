import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createBrowserRouter, RouterProvider } from 'react-router-dom';
import { ApiError } from './api/api-client';
import { LoginPage } from './features/auth/login.page';
import { loginPath } from './features/auth/return-path';
import { TaskListPage } from './features/tasks/task-list.page';
import { AppShell } from './layout/app-shell';
import { NotFoundPage } from './layout/not-found.page';
import { RouteErrorPage } from './layout/route-error.page';

const router = createBrowserRouter([
  { path: '/login', element: <LoginPage /> },
  {
    path: '/',
    element: <AppShell />,
    errorElement: <RouteErrorPage />,
    children: [
      { index: true, element: <TaskListPage /> },
      { path: 'tasks', element: <TaskListPage /> },
      // Loaded when first visited: the task list stays light, the wizard brings the form and chart code.
      { path: 'tasks/new', lazy: () => import('./features/wizard/task-wizard.page').then((m) => ({ Component: m.TaskWizardPage })) },
      { path: 'tasks/:id', lazy: () => import('./features/task-detail/task-detail.page').then((m) => ({ Component: m.TaskDetailPage })) },
      { path: 'tasks/:id/setup', lazy: () => import('./features/wizard/task-wizard.page').then((m) => ({ Component: m.TaskWizardPage })) },
      { path: 'connections', lazy: () => import('./features/connections/connections.page').then((m) => ({ Component: m.ConnectionsPage })) },
      { path: 'notifications', lazy: () => import('./features/notifications/notifications.page').then((m) => ({ Component: m.NotificationsPage })) },
      {
        path: 'notifications/channels/:id',
        lazy: () => import('./features/notifications/channel-deliveries.page').then((m) => ({ Component: m.ChannelDeliveriesPage })),
      },
      { path: 'users', lazy: () => import('./features/admin/users.page').then((m) => ({ Component: m.UsersPage })) },
      { path: 'tokens', lazy: () => import('./features/admin/tokens.page').then((m) => ({ Component: m.TokensPage })) },
      { path: 'audit', lazy: () => import('./features/audit/audit-log.page').then((m) => ({ Component: m.AuditLogPage })) },
      { path: 'schedulers', lazy: () => import('./features/fleet/schedulers.page').then((m) => ({ Component: m.SchedulersPage })) },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);

/** The session ended (expired, logged out elsewhere, password changed): back to the login page. */
function onApiError(error: unknown): void {
  if (!(error instanceof ApiError) || error.statusCode !== 401) return;
  const { pathname, search } = window.location;
  if (pathname !== '/login') void router.navigate(loginPath({ pathname, search }), { replace: true });
}

const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError: onApiError }),
  mutationCache: new MutationCache({ onError: onApiError }),
  defaultOptions: {
    queries: {
      // A 4xx will not change by asking again; network errors and 5xx may.
      retry: (failureCount, error) => !(error instanceof ApiError && error.isClientError) && failureCount < 2,
      staleTime: 2_000,
    },
  },
});

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}
