import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createBrowserRouter, RouterProvider } from 'react-router-dom';
import { ApiError } from './api/api-client';
import { TaskListPage } from './features/tasks/task-list.page';
import { AppShell } from './layout/app-shell';
import { NotFoundPage } from './layout/not-found.page';
import { RouteErrorPage } from './layout/route-error.page';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A 4xx will not change by asking again; network errors and 5xx may.
      retry: (failureCount, error) => !(error instanceof ApiError && error.isClientError) && failureCount < 2,
      staleTime: 2_000,
    },
  },
});

// A data router (not <BrowserRouter>) because the wizard will need useBlocker to keep its draft.
const router = createBrowserRouter([
  {
    path: '/',
    element: <AppShell />,
    errorElement: <RouteErrorPage />,
    children: [
      { index: true, element: <TaskListPage /> },
      { path: 'tasks', element: <TaskListPage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}
